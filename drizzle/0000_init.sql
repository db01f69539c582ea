CREATE TYPE "public"."limit_enforcement" AS ENUM('hard', 'soft');--> statement-breakpoint
CREATE TYPE "public"."plan_interval" AS ENUM('month', 'year');--> statement-breakpoint
CREATE TABLE "businesses" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"tax_rate_bps" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "businesses_tax_rate_range" CHECK ("businesses"."tax_rate_bps" between 0 and 10000)
);
--> statement-breakpoint
CREATE TABLE "plan_limits" (
	"plan_id" uuid NOT NULL,
	"meter" text NOT NULL,
	"included" integer,
	"enforcement" "limit_enforcement" NOT NULL,
	"overage_unit_amount" integer,
	CONSTRAINT "plan_limits_plan_id_meter_pk" PRIMARY KEY("plan_id","meter"),
	CONSTRAINT "plan_limits_included_non_negative" CHECK ("plan_limits"."included" is null or "plan_limits"."included" >= 0),
	CONSTRAINT "plan_limits_overage_non_negative" CHECK ("plan_limits"."overage_unit_amount" is null or "plan_limits"."overage_unit_amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"interval" "plan_interval" NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"trial_days" integer DEFAULT 0 NOT NULL,
	"features" text[] DEFAULT '{}'::text[] NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plans_code_unique" UNIQUE("code"),
	CONSTRAINT "plans_amount_non_negative" CHECK ("plans"."amount" >= 0),
	CONSTRAINT "plans_trial_days_range" CHECK ("plans"."trial_days" between 0 and 365),
	CONSTRAINT "plans_currency_lower" CHECK ("plans"."currency" ~ '^[a-z]{3}$')
);
--> statement-breakpoint
ALTER TABLE "plan_limits" ADD CONSTRAINT "plan_limits_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE no action ON UPDATE no action;
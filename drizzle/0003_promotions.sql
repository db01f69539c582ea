CREATE TYPE "public"."promo_duration" AS ENUM('once', 'repeating', 'forever');--> statement-breakpoint
CREATE TABLE "promo_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"percent_off" integer,
	"amount_off" integer,
	"currency" text,
	"duration" "promo_duration" NOT NULL,
	"duration_in_months" integer,
	"max_redemptions" integer,
	"times_redeemed" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"plan_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"first_time_only" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promo_codes_code_unique" UNIQUE("code"),
	CONSTRAINT "promo_codes_code_lower" CHECK ("promo_codes"."code" = lower("promo_codes"."code")),
	CONSTRAINT "promo_codes_percent_xor_amount" CHECK (("promo_codes"."percent_off" is not null and "promo_codes"."amount_off" is null and "promo_codes"."currency" is null)
        or ("promo_codes"."percent_off" is null and "promo_codes"."amount_off" is not null and "promo_codes"."currency" is not null)),
	CONSTRAINT "promo_codes_percent_range" CHECK ("promo_codes"."percent_off" is null or "promo_codes"."percent_off" between 1 and 100),
	CONSTRAINT "promo_codes_amount_positive" CHECK ("promo_codes"."amount_off" is null or "promo_codes"."amount_off" > 0),
	CONSTRAINT "promo_codes_currency_lower" CHECK ("promo_codes"."currency" is null or "promo_codes"."currency" ~ '^[a-z]{3}$'),
	CONSTRAINT "promo_codes_duration_months" CHECK (("promo_codes"."duration" = 'repeating' and "promo_codes"."duration_in_months" >= 1)
        or ("promo_codes"."duration" <> 'repeating' and "promo_codes"."duration_in_months" is null)),
	CONSTRAINT "promo_codes_max_redemptions_positive" CHECK ("promo_codes"."max_redemptions" is null or "promo_codes"."max_redemptions" >= 1),
	CONSTRAINT "promo_codes_times_redeemed_range" CHECK ("promo_codes"."times_redeemed" >= 0 and ("promo_codes"."max_redemptions" is null or "promo_codes"."times_redeemed" <= "promo_codes"."max_redemptions"))
);
--> statement-breakpoint
CREATE TABLE "promo_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"promo_code_id" uuid NOT NULL,
	"business_id" text NOT NULL,
	"subscription_id" text,
	"redeemed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "promo_redemptions_code_business_unique" UNIQUE("promo_code_id","business_id")
);
--> statement-breakpoint
ALTER TABLE "promo_redemptions" ADD CONSTRAINT "promo_redemptions_promo_code_id_promo_codes_id_fk" FOREIGN KEY ("promo_code_id") REFERENCES "public"."promo_codes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promo_redemptions" ADD CONSTRAINT "promo_redemptions_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "promo_redemptions_business_idx" ON "promo_redemptions" USING btree ("business_id");
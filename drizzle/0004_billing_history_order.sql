DROP INDEX "billing_events_business_idx";--> statement-breakpoint
ALTER TABLE "billing_events" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "billing_events_business_idx" ON "billing_events" USING btree ("business_id","occurred_at","seq");
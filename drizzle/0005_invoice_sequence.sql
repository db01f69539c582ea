DROP INDEX "invoices_business_created_idx";--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "sequence" integer NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_business_created_idx" ON "invoices" USING btree ("business_id","created_at","sequence");
-- Attempts made before this column existed keep a marker instead of the card they charged.
ALTER TABLE "payments" ADD COLUMN "payment_method_id" text NOT NULL DEFAULT 'unknown';--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "payment_method_id" DROP DEFAULT;

import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A business is the billing account. Its id is the `business_id` claim of the sign-in service's
 * tokens, so the row is created on first need rather than by a sign-up here.
 */
export const businesses = pgTable(
  'businesses',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email'),
    /** Mirrors Stripe: the customer created for this business on first need (one per business). */
    stripeCustomerId: text('stripe_customer_id').unique(),
    /** Exclusive tax rate in basis points, set by an operator; applied per invoice. */
    taxRateBps: integer('tax_rate_bps').notNull().default(0),
    /**
     * Credit owed to the business (unused time from immediate downgrades), in creditCurrency's minor
     * unit; applied to its next invoices. Changed only with the invoice that moves it.
     */
    creditBalance: integer('credit_balance').notNull().default(0),
    creditCurrency: text('credit_currency'),
    /** Last invoice number given at finalization; numbers are gapless per business. */
    lastInvoiceNumber: integer('last_invoice_number').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('businesses_tax_rate_range', sql`${t.taxRateBps} between 0 and 10000`),
    check('businesses_credit_non_negative', sql`${t.creditBalance} >= 0`),
  ],
);

export type BusinessRow = typeof businesses.$inferSelect;

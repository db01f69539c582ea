import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Billing history: one row for every change to a subscription, invoice, payment method or discount,
 * written in the same transaction as the change. Append-only.
 */
export const billingEvents = pgTable(
  'billing_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Commit order, to list entries written at the same instant in the order they happened. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    businessId: text('business_id').notNull(),
    /** e.g. subscription.created, invoice.paid, payment.failed. */
    type: text('type').notNull(),
    description: text('description').notNull(),
    /** A user id, or `service`, `system`, `stripe`. */
    actor: text('actor').notNull(),
    subjectId: text('subject_id'),
    data: jsonb('data'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('billing_events_business_idx').on(t.businessId, t.occurredAt, t.seq)],
);

export type BillingEventRow = typeof billingEvents.$inferSelect;

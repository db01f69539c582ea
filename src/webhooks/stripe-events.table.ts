import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const stripeEventStatusEnum = pgEnum('stripe_event_status', ['received', 'processed', 'failed', 'ignored']);

/**
 * The webhook inbox: every verified Stripe event, stored before the endpoint answers, keyed by
 * Stripe's event id so a redelivery is recognised and never processed twice.
 */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    /** Stripe's event id (evt_...). */
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** Stripe's `created` (when the event happened at Stripe), for ordering. */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** The whole event as Stripe sent it. */
    payload: jsonb('payload').notNull(),
    status: stripeEventStatusEnum('status').notNull().default('received'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().default(sql`now()`),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [index('stripe_events_status_idx').on(t.status, t.receivedAt)],
);

export type StripeEventRow = typeof stripeEvents.$inferSelect;

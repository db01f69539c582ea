import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { subscriptions } from '../subscriptions/subscriptions.table.js';

/**
 * Every admitted usage event, append-only: written by the usage engine in the recording
 * transaction and never updated. A refused event is never stored (a refusal inside the recording
 * transaction deletes the row it had just inserted, before commit).
 *
 * Partitioning later: the table grows by time, so it is meant to be partitioned by month on
 * `occurred_at` (every index below leads with or contains it in a way that survives that). A
 * partitioned table's unique constraints must include the partition key, so at that point the
 * (business_id, idempotency_key) uniqueness moves to a small non-partitioned key table written in
 * the same transaction; the engine's "insert … on conflict do nothing" stays as it is.
 */
export const usageEvents = pgTable(
  'usage_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The business named in the call-tracking service's input. */
    businessId: text('business_id').notNull(),
    /** The live subscription the event was counted against. */
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    /** A code from src/usage/meters.ts. */
    meter: text('meter').notNull(),
    quantity: integer('quantity').notNull(),
    /** The caller's key (derived from its call id): one event per key per business, ever. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** When the usage happened, as the caller says (default: when recorded). */
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** When the billing API admitted it (billing clock). */
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    /** The subscription's period the event was counted in: the key of its counter. */
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    metadata: jsonb('metadata'),
  },
  (t) => [
    unique('usage_events_business_key_unique').on(t.businessId, t.idempotencyKey),
    /** usageSeries: a business's meter by day. */
    index('usage_events_business_meter_occurred_idx').on(t.businessId, t.meter, t.occurredAt),
    /** Counter recomputation and period reads: a subscription's period. */
    index('usage_events_subscription_period_idx').on(t.subscriptionId, t.periodStart, t.meter),
    check('usage_events_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

/**
 * What a subscription has used of a meter in one period: the sum of its events' quantities, kept
 * in the recording transaction so that admission and checks read one row. Written only by the
 * usage engine (and `usage:recompute`, which rebuilds it from usage_events).
 */
export const usageCounters = pgTable(
  'usage_counters',
  {
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    meter: text('meter').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    used: bigint('used', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.meter, t.periodStart] }), check('usage_counters_used_non_negative', sql`${t.used} >= 0`)],
);

export type UsageEventRow = typeof usageEvents.$inferSelect;
export type UsageCounterRow = typeof usageCounters.$inferSelect;

import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { DiscountSnapshot } from '../promotions/promotions.model.js';
import { businesses } from '../businesses/businesses.table.js';
import { plans } from '../plans/plans.table.js';

/** Stripe's names for subscription states. */
export const subscriptionStatusEnum = pgEnum('subscription_status', [
  'trialing',
  'active',
  'incomplete',
  'past_due',
  'unpaid',
  'canceled',
]);

/** States in which a business has a subscription; one at most per business. */
export const LIVE_STATUSES = ['trialing', 'active', 'incomplete', 'past_due', 'unpaid'] as const;

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: text('business_id')
      .notNull()
      .references(() => businesses.id),
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    status: subscriptionStatusEnum('status').notNull(),
    /** Periods are counted from this instant; reset when the interval changes (month <-> year). */
    billingAnchor: timestamp('billing_anchor', { withTimezone: true }).notNull(),
    /** Number of the current period since the anchor (0 = first). */
    periodIndex: integer('period_index').notNull().default(0),
    currentPeriodStart: timestamp('current_period_start', { withTimezone: true }).notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }).notNull(),
    trialEndsAt: timestamp('trial_ends_at', { withTimezone: true }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: timestamp('canceled_at', { withTimezone: true }),
    cancellationReason: text('cancellation_reason'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** A downgrade waiting for the period end. */
    pendingPlanId: uuid('pending_plan_id').references(() => plans.id),
    pendingChangeAt: timestamp('pending_change_at', { withTimezone: true }),
    /** INCOMPLETE (3-D Secure pending) ends here if the first payment never succeeds. */
    incompleteExpiresAt: timestamp('incomplete_expires_at', { withTimezone: true }),
    graceEndsAt: timestamp('grace_ends_at', { withTimezone: true }),
    latestInvoiceId: uuid('latest_invoice_id'),
    /** The redeemed promo code's terms, fixed at redemption (one discount per subscription). */
    discount: jsonb('discount').$type<DiscountSnapshot>(),
    /** How many invoices the discount has reduced (a ONCE discount stops after the first). */
    discountUses: integer('discount_uses').notNull().default(0),
    /** Bumped on every change: concurrent writers lock the row, and clients can compare. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('subscriptions_one_live_per_business')
      .on(t.businessId)
      .where(sql`${t.status} in ('trialing', 'active', 'incomplete', 'past_due', 'unpaid')`),
    index('subscriptions_business_idx').on(t.businessId, t.createdAt),
  ],
);

/**
 * What `subscribe` and `changePlan` answered for an idempotency key, so that the same key from the
 * same business gets the same answer and never a second charge.
 */
export const idempotentRequests = pgTable('idempotent_requests', {
  businessId: text('business_id').notNull(),
  key: text('key').notNull(),
  operation: text('operation').notNull(),
  /** Null while the first request is still running. */
  subscriptionId: uuid('subscription_id'),
  /** The contract error the first request answered, if it failed: { code, message, extensions }. */
  error: text('error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [uniqueIndex('idempotent_requests_key').on(t.businessId, t.key)]);

export type SubscriptionRow = typeof subscriptions.$inferSelect;

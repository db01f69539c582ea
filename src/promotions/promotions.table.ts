import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { businesses } from '../businesses/businesses.table.js';

export const promoDurationEnum = pgEnum('promo_duration', ['once', 'repeating', 'forever']);

/**
 * Promo codes, created and deactivated by operators. Written by the promotions service only;
 * `times_redeemed` changes only through the conditional update in `redeem`, never above
 * `max_redemptions`.
 */
export const promoCodes = pgTable(
  'promo_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** What customers type, stored lower case; every lookup lower-cases its input. Never reused. */
    code: text('code').notNull().unique(),
    /** Whole percent off, 1-100; null for a fixed-amount code. */
    percentOff: integer('percent_off'),
    /** Fixed amount off in `currency`'s minor unit; null for a percent code. */
    amountOff: integer('amount_off'),
    /** ISO 4217, lower case; set exactly when `amount_off` is. */
    currency: text('currency'),
    /** How long the discount lasts once redeemed (Stripe's coupon duration). */
    duration: promoDurationEnum('duration').notNull(),
    /** For `repeating` only: months the discount lasts from redemption. */
    durationInMonths: integer('duration_in_months'),
    /** Redemptions allowed across all businesses; null is unlimited. */
    maxRedemptions: integer('max_redemptions'),
    /** Redemptions so far; incremented in the redeeming transaction. */
    timesRedeemed: integer('times_redeemed').notNull().default(0),
    /** No redemption at or after this instant; null never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Plan codes the code applies to; empty applies to every plan. */
    planCodes: text('plan_codes').array().notNull().default(sql`'{}'::text[]`),
    /** Only for a business that has never had a subscription. */
    firstTimeOnly: boolean('first_time_only').notNull().default(false),
    /** False once an operator deactivates it; existing discounts keep running. */
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('promo_codes_code_lower', sql`${t.code} = lower(${t.code})`),
    check(
      'promo_codes_percent_xor_amount',
      sql`(${t.percentOff} is not null and ${t.amountOff} is null and ${t.currency} is null)
        or (${t.percentOff} is null and ${t.amountOff} is not null and ${t.currency} is not null)`,
    ),
    check('promo_codes_percent_range', sql`${t.percentOff} is null or ${t.percentOff} between 1 and 100`),
    check('promo_codes_amount_positive', sql`${t.amountOff} is null or ${t.amountOff} > 0`),
    check('promo_codes_currency_lower', sql`${t.currency} is null or ${t.currency} ~ '^[a-z]{3}$'`),
    check(
      'promo_codes_duration_months',
      sql`(${t.duration} = 'repeating' and ${t.durationInMonths} >= 1)
        or (${t.duration} <> 'repeating' and ${t.durationInMonths} is null)`,
    ),
    check('promo_codes_max_redemptions_positive', sql`${t.maxRedemptions} is null or ${t.maxRedemptions} >= 1`),
    check(
      'promo_codes_times_redeemed_range',
      sql`${t.timesRedeemed} >= 0 and (${t.maxRedemptions} is null or ${t.timesRedeemed} <= ${t.maxRedemptions})`,
    ),
  ],
);

/**
 * One row per business that redeemed a code (a business redeems a code once). Written by
 * `redeem` in the subscribing transaction; `subscription_id` is set by the subscriptions module.
 */
export const promoRedemptions = pgTable(
  'promo_redemptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    promoCodeId: uuid('promo_code_id')
      .notNull()
      .references(() => promoCodes.id),
    businessId: text('business_id')
      .notNull()
      .references(() => businesses.id),
    /** The subscription the discount went to; written by the subscriptions module, null until then. */
    subscriptionId: text('subscription_id'),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('promo_redemptions_code_business_unique').on(t.promoCodeId, t.businessId),
    index('promo_redemptions_business_idx').on(t.businessId),
  ],
);

export type PromoCodeRow = typeof promoCodes.$inferSelect;
export type PromoRedemptionRow = typeof promoRedemptions.$inferSelect;

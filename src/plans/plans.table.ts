import { sql } from 'drizzle-orm';
import { boolean, check, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const planIntervalEnum = pgEnum('plan_interval', ['month', 'year']);
export const enforcementEnum = pgEnum('limit_enforcement', ['hard', 'soft']);

/**
 * The plan catalogue. A plan's price and limits never change once created: operators archive a plan
 * and create another, so every invoice can always be explained by the plan it was made from.
 */
export const plans = pgTable(
  'plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable identifier clients use (`starter_monthly`); unique across active and archived plans. */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    interval: planIntervalEnum('interval').notNull(),
    /** Price per interval, in the currency's minor unit. */
    amount: integer('amount').notNull(),
    /** ISO 4217, lower case. */
    currency: text('currency').notNull(),
    trialDays: integer('trial_days').notNull().default(0),
    features: text('features').array().notNull().default(sql`'{}'::text[]`),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('plans_amount_non_negative', sql`${t.amount} >= 0`),
    check('plans_trial_days_range', sql`${t.trialDays} between 0 and 365`),
    check('plans_currency_lower', sql`${t.currency} ~ '^[a-z]{3}$'`),
  ],
);

/** Per-meter allowance of a plan, per billing period. */
export const planLimits = pgTable(
  'plan_limits',
  {
    planId: uuid('plan_id')
      .notNull()
      .references(() => plans.id),
    meter: text('meter').notNull(),
    /** Units included per period; null means unlimited. */
    included: integer('included'),
    enforcement: enforcementEnum('enforcement').notNull(),
    /** Price of each unit above `included`, in the plan's currency; null when overage is not sold. */
    overageUnitAmount: integer('overage_unit_amount'),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.meter] }),
    check('plan_limits_included_non_negative', sql`${t.included} is null or ${t.included} >= 0`),
    check('plan_limits_overage_non_negative', sql`${t.overageUnitAmount} is null or ${t.overageUnitAmount} >= 0`),
  ],
);

export type PlanRow = typeof plans.$inferSelect;
export type PlanLimitRow = typeof planLimits.$inferSelect;

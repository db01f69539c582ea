import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Logger } from '../log/logger.js';
import type { PlanDraft } from './plans.model.js';
import { countPlans, insertPlan } from './plans.repo.js';

/** The catalogue a fresh installation starts with; operators add and archive plans from there. */
export const DEFAULT_CATALOGUE: PlanDraft[] = [
  {
    code: 'free',
    name: 'Free',
    description: 'Try call tracking on a small number of calls.',
    interval: 'month',
    price: { amount: 0, currency: 'usd' },
    trialDays: 0,
    limits: [
      { meter: 'calls', included: 100, enforcement: 'hard', overageUnitAmount: null },
      { meter: 'call_minutes', included: 500, enforcement: 'hard', overageUnitAmount: null },
    ],
    features: ['call_tracking'],
  },
  {
    code: 'starter_monthly',
    name: 'Starter',
    description: 'For a small team: 2,000 calls a month, overage billed per call.',
    interval: 'month',
    price: { amount: 2900, currency: 'usd' },
    trialDays: 14,
    limits: [
      { meter: 'calls', included: 2_000, enforcement: 'soft', overageUnitAmount: 5 },
      { meter: 'call_minutes', included: 10_000, enforcement: 'soft', overageUnitAmount: 2 },
    ],
    features: ['call_tracking', 'call_recording', 'email_support'],
  },
  {
    code: 'growth_monthly',
    name: 'Growth',
    description: 'For busy teams: 10,000 calls a month, analytics and priority support.',
    interval: 'month',
    price: { amount: 9900, currency: 'usd' },
    trialDays: 14,
    limits: [
      { meter: 'calls', included: 10_000, enforcement: 'soft', overageUnitAmount: 3 },
      { meter: 'call_minutes', included: 50_000, enforcement: 'soft', overageUnitAmount: 1 },
    ],
    features: ['call_tracking', 'call_recording', 'analytics', 'priority_support'],
  },
  {
    code: 'growth_yearly',
    name: 'Growth (yearly)',
    description: 'Growth billed yearly: two months free, 120,000 calls a year.',
    interval: 'year',
    price: { amount: 99000, currency: 'usd' },
    trialDays: 14,
    limits: [
      { meter: 'calls', included: 120_000, enforcement: 'soft', overageUnitAmount: 3 },
      { meter: 'call_minutes', included: 600_000, enforcement: 'soft', overageUnitAmount: 1 },
    ],
    features: ['call_tracking', 'call_recording', 'analytics', 'priority_support'],
  },
];

/** Seeds the default catalogue when there is no plan at all; safe when several instances start at once. */
export async function seedCatalogueIfEmpty(db: Database, log: Logger): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(727002)`);
    if ((await countPlans(tx)) > 0) return;
    for (const plan of DEFAULT_CATALOGUE) await insertPlan(tx, plan);
    log.info({ plans: DEFAULT_CATALOGUE.map((p) => p.code) }, 'seeded the default plan catalogue');
  });
}

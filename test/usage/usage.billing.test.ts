import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordUsageBatchDocument, SubscriptionUsageDocument } from '../generated/graphql.js';
import { findPlanByCode } from '../../src/plans/plans.repo.js';
import { findLive } from '../../src/subscriptions/subscriptions.repo.js';
import { overageLines } from '../../src/usage/usage.service.js';
import { recomputeUsageCounters } from '../../src/usage/usage.recompute.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { frozenAt } from '../support/frozen-clock.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

const NOW = '2026-03-10T12:00:00.000Z';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt(NOW) });
  await createFreePlan(app, 'soft_overage', [
    { meter: 'calls', included: 10, enforcement: 'SOFT', overageUnitAmount: 5 },
    { meter: 'call_minutes', included: 100, enforcement: 'SOFT', overageUnitAmount: 2 },
  ]);
});
afterAll(() => app?.close());

const events = (businessId: string, meter: string, quantities: number[]) => quantities.map((quantity) => ({ businessId, meter, quantity, idempotencyKey: callKey() }));

describe('overage and counters', () => {
  it('overageLines bills the units above included on each SOFT meter', async () => {
    await subscribed(app, 'biz_overage', 'soft_overage');
    const writer = await usageWriter(app);
    await writer.request(RecordUsageBatchDocument, { events: [...events('biz_overage', 'calls', Array(13).fill(1)), ...events('biz_overage', 'call_minutes', [60, 30])] });
    const { db } = app.services;
    const subscription = (await findLive(db, 'biz_overage'))!;
    const plan = (await findPlanByCode(db, 'soft_overage'))!;
    const lines = await overageLines(db, subscription, plan, subscription.currentPeriodStart, subscription.currentPeriodEnd);
    // calls: 13 used - 10 included = 3 above, 3 × 5 = 15; minutes: 90 of 100, nothing above.
    expect(lines).toEqual([
      {
        kind: 'overage',
        description: '3 calls above the 10 calls included',
        quantity: 3,
        unitAmount: 5,
        amount: 15, // 3 × 5
        periodStart: new Date(NOW),
        periodEnd: new Date('2026-04-10T12:00:00.000Z'),
      },
    ]);
    // A HARD plan never has overage lines.
    await subscribed(app, 'biz_hard_overage', 'free');
    await writer.request(RecordUsageBatchDocument, { events: events('biz_hard_overage', 'calls', Array(120).fill(1)) });
    const hardSub = (await findLive(db, 'biz_hard_overage'))!;
    expect(await overageLines(db, hardSub, (await findPlanByCode(db, 'free'))!, hardSub.currentPeriodStart, hardSub.currentPeriodEnd)).toEqual([]);
  });

  it('usage:recompute reports a corrupted counter and fixes it from the events', async () => {
    const owner = await subscribed(app, 'biz_recompute', 'soft_overage');
    const writer = await usageWriter(app);
    await writer.request(RecordUsageBatchDocument, { events: events('biz_recompute', 'calls', [1, 1, 1, 2]) });
    const handle = app.database.connect();
    try {
      expect(await recomputeUsageCounters(handle.sql)).toEqual([]);
      await handle.sql`update usage_counters c set used = 42 from subscriptions s where s.id = c.subscription_id and s.business_id = 'biz_recompute' and c.meter = 'calls'`;
      const subscription = (await findLive(app.services.db, 'biz_recompute'))!;

      expect(await recomputeUsageCounters(handle.sql, { dryRun: true })).toEqual([
        { subscriptionId: subscription.id, meter: 'calls', periodStart: new Date(NOW), stored: 42, actual: 5 },
      ]);
      expect((await owner.request(SubscriptionUsageDocument)).billingAccount.subscription!.usage[0]!.used).toBe(42); // dry run fixed nothing

      expect(await recomputeUsageCounters(handle.sql)).toEqual([
        { subscriptionId: subscription.id, meter: 'calls', periodStart: new Date(NOW), stored: 42, actual: 5 },
      ]);
      expect((await owner.request(SubscriptionUsageDocument)).billingAccount.subscription!.usage[0]!.used).toBe(5);
      expect(await recomputeUsageCounters(handle.sql)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationsWithEmailDocument, RecordUsageDocument, SubscriptionUsageDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await createFreePlan(app, 'hard_hundred', [{ meter: 'calls', included: 100, enforcement: 'HARD' }]);
  await createFreePlan(app, 'hard_ten', [{ meter: 'calls', included: 10, enforcement: 'HARD' }]);
  await createFreePlan(app, 'soft_ten_race', [{ meter: 'calls', included: 10, enforcement: 'SOFT', overageUnitAmount: 5 }]);
});
afterAll(() => app?.close());

async function storedUsage(businessId: string): Promise<{ counter: number; events: number }> {
  const db = app.database.connect();
  try {
    const [row] = await db.sql<{ counter: number; events: number }[]>`
      select (select coalesce(sum(used), 0)::int from usage_counters c join subscriptions s on s.id = c.subscription_id where s.business_id = ${businessId} and c.meter = 'calls') as counter,
             (select coalesce(sum(quantity), 0)::int from usage_events where business_id = ${businessId} and meter = 'calls') as events`;
    return row!;
  } finally {
    await db.close();
  }
}

describe('atomic admission under concurrency', () => {
  it('admits exactly 100 of 200 concurrent recordUsage calls against 100 remaining on a HARD limit', async () => {
    const owner = await subscribed(app, 'biz_race', 'hard_hundred');
    const writer = await usageWriter(app);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        writer.request(RecordUsageDocument, { input: { businessId: 'biz_race', meter: 'calls', quantity: 1, idempotencyKey: callKey('race') } }),
      ),
    );
    const accepted = results.filter((r) => r.recordUsage.accepted);
    const refused = results.filter((r) => !r.recordUsage.accepted);
    expect(accepted).toHaveLength(100);
    expect(refused).toHaveLength(100);
    expect(new Set(refused.map((r) => r.recordUsage.reason))).toEqual(new Set(['LIMIT_REACHED']));
    // Every accepted call saw a different count, 1 to 100.
    expect(accepted.map((r) => r.recordUsage.usage!.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await storedUsage('biz_race')).toEqual({ counter: 100, events: 100 });
    const { billingAccount } = await owner.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage[0]).toMatchObject({ meter: 'calls', used: 100, remaining: 0, limitReached: true });
  });

  it('admits exactly what remains when separate transactions race (concurrent batches)', async () => {
    await subscribed(app, 'biz_race_batches', 'hard_hundred');
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.services.usage.recordBatch(
          Array.from({ length: 15 }, () => ({ businessId: 'biz_race_batches', meter: 'calls', quantity: 1, idempotencyKey: callKey('rb') })),
        ),
      ),
    );
    expect(outcomes.reduce((sum, o) => sum + o.accepted, 0)).toBe(100);
    expect(outcomes.flatMap((o) => o.rejected.map((r) => r.reason))).toEqual(Array(50).fill('LIMIT_REACHED'));
    expect(await storedUsage('biz_race_batches')).toEqual({ counter: 100, events: 100 });
  });

  it('admits everything on a SOFT limit under concurrency, each answer showing its own running count', async () => {
    const owner = await subscribed(app, 'biz_race_soft', 'soft_ten_race');
    const writer = await usageWriter(app);
    const [singles] = await Promise.all([
      Promise.all(
        Array.from({ length: 60 }, () => writer.request(RecordUsageDocument, { input: { businessId: 'biz_race_soft', meter: 'calls', quantity: 1, idempotencyKey: callKey('rs') } })),
      ),
      Promise.all(
        Array.from({ length: 5 }, () =>
          app.services.usage.recordBatch(Array.from({ length: 8 }, () => ({ businessId: 'biz_race_soft', meter: 'calls', quantity: 1, idempotencyKey: callKey('rsb') }))),
        ),
      ),
    ]);
    expect(singles.every((r) => r.recordUsage.accepted && !r.recordUsage.duplicate)).toBe(true);
    const seen = singles.map((r) => r.recordUsage.usage!.used);
    expect(new Set(seen).size).toBe(60);
    expect(Math.max(...seen)).toBeLessThanOrEqual(100);
    expect(await storedUsage('biz_race_soft')).toEqual({ counter: 100, events: 100 });
    const { billingAccount } = await owner.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage[0]).toMatchObject({ meter: 'calls', used: 100, included: 10, overage: 90, limitReached: true });
  });

  it('counts the same key sent 20 times at once exactly once', async () => {
    await subscribed(app, 'biz_same_key', 'hard_hundred');
    const writer = await usageWriter(app);
    const key = callKey('same');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => writer.request(RecordUsageDocument, { input: { businessId: 'biz_same_key', meter: 'calls', quantity: 3, idempotencyKey: key } })),
    );
    expect(results.filter((r) => r.recordUsage.accepted && !r.recordUsage.duplicate)).toHaveLength(1);
    expect(results.filter((r) => r.recordUsage.duplicate)).toHaveLength(19);
    // And across transactions: the same key in concurrent batches.
    const batches = await Promise.all(
      Array.from({ length: 5 }, () => app.services.usage.recordBatch([{ businessId: 'biz_same_key', meter: 'calls', quantity: 3, idempotencyKey: `${key}-b` }])),
    );
    expect(batches.map((b) => b.accepted).reduce((a, b) => a + b)).toBe(1);
    expect(batches.map((b) => b.duplicates).reduce((a, b) => a + b)).toBe(4);
    expect(await storedUsage('biz_same_key')).toEqual({ counter: 6, events: 6 });
  });

  it('gives each threshold one notification per period, however many events cross it at once', async () => {
    const hard = await subscribed(app, 'biz_thresholds_hard', 'hard_ten');
    const soft = await subscribed(app, 'biz_thresholds_soft', 'soft_ten_race');
    const writer = await usageWriter(app);
    await Promise.all(
      ['biz_thresholds_hard', 'biz_thresholds_soft'].flatMap((businessId) => [
        ...Array.from({ length: 30 }, () => writer.request(RecordUsageDocument, { input: { businessId, meter: 'calls', quantity: 1, idempotencyKey: callKey('th') } })),
        ...Array.from({ length: 5 }, () =>
          app.services.usage.recordBatch(Array.from({ length: 4 }, () => ({ businessId, meter: 'calls', quantity: 1, idempotencyKey: callKey('thb') }))),
        ),
      ]),
    );
    const kinds = async (client: typeof hard) =>
      (await client.request(NotificationsWithEmailDocument, { first: 50 })).billingAccount.notifications.edges.map((e) => e.node.kind).sort();
    expect(await kinds(hard)).toEqual(['USAGE_100', 'USAGE_50', 'USAGE_80']);
    expect(await kinds(soft)).toEqual(['OVERAGE_STARTED', 'USAGE_100', 'USAGE_50', 'USAGE_80']);
    const [node] = (await hard.request(NotificationsWithEmailDocument, { first: 1 })).billingAccount.notifications.edges.map((e) => e.node);
    expect(node).toMatchObject({ meter: 'calls', readAt: null, emailedAt: null });
    expect(await storedUsage('biz_thresholds_hard')).toEqual({ counter: 10, events: 10 });
    expect(await storedUsage('biz_thresholds_soft')).toEqual({ counter: 50, events: 50 });
  });
});

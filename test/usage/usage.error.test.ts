import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckUsageDocument, RecordUsageBatchDocument, RecordUsageDocument, SubscriptionUsageDocument, UsageSeriesDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { frozenAt } from '../support/frozen-clock.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

const NOW = '2026-03-10T12:00:00.000Z';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt(NOW) });
  await createFreePlan(app, 'hard_five', [{ meter: 'calls', included: 5, enforcement: 'HARD' }]);
});
afterAll(() => app?.close());

const event = (over: Record<string, unknown> = {}) => ({ businessId: 'biz_refusals', meter: 'calls', quantity: 1, idempotencyKey: callKey('err'), ...over });

describe('refusals: named, and never counted', () => {
  it('refuses each bad event with its reason and leaves the counters as they were', async () => {
    const owner = await subscribed(app, 'biz_refusals', 'hard_five');
    const writer = await usageWriter(app);
    await writer.request(RecordUsageDocument, { input: event({ quantity: 3 }) });
    const cases: [Record<string, unknown>, string][] = [
      [{ businessId: 'biz_without_subscription' }, 'NO_SUBSCRIPTION'],
      [{ meter: 'sms' }, 'UNKNOWN_METER'],
      [{ quantity: 0 }, 'INVALID_QUANTITY'],
      [{ quantity: -4 }, 'INVALID_QUANTITY'],
      [{ quantity: 10_001 }, 'INVALID_QUANTITY'], // calls: at most 10,000 an event
      [{ occurredAt: '2026-03-10T12:05:01.000Z' }, 'OCCURRED_IN_FUTURE'], // > 5 minutes ahead
      [{ occurredAt: '2026-03-10T11:59:59.999Z' }, 'PERIOD_CLOSED'], // before the period started
      [{ quantity: 3 }, 'LIMIT_REACHED'], // 3 used + 3 > 5
    ];
    for (const [over, reason] of cases) {
      const { recordUsage } = await writer.request(RecordUsageDocument, { input: event(over) });
      expect(recordUsage, reason).toMatchObject({ accepted: false, duplicate: false, reason });
    }
    const { recordUsage: limited } = await writer.request(RecordUsageDocument, { input: event({ quantity: 3 }) });
    expect(limited.usage).toEqual({ meter: 'calls', used: 3, included: 5, remaining: 2, limitReached: false });
    // Within 5 minutes ahead is clock skew, and admitted; so is what still fits.
    expect((await writer.request(RecordUsageDocument, { input: event({ occurredAt: '2026-03-10T12:04:59.000Z' }) })).recordUsage.accepted).toBe(true);
    expect((await writer.request(RecordUsageDocument, { input: event({ quantity: 1 }) })).recordUsage).toMatchObject({ accepted: true, usage: { used: 5, remaining: 0, limitReached: true } });
    expect((await writer.request(RecordUsageDocument, { input: event() })).recordUsage.reason).toBe('LIMIT_REACHED');

    const { billingAccount } = await owner.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage[0]).toMatchObject({ used: 5 });
    const db = app.database.connect();
    const [stored] = await db.sql<{ n: number }[]>`select count(*)::int as n from usage_events where business_id = 'biz_refusals'`;
    await db.close();
    expect(stored!.n).toBe(3);
  });

  it('a refused key can be sent again later and counted then', async () => {
    await subscribed(app, 'biz_retry_refused', 'hard_five');
    const writer = await usageWriter(app);
    const key = callKey('later');
    const first = await writer.request(RecordUsageDocument, { input: { businessId: 'biz_retry_refused', meter: 'calls', quantity: 6, idempotencyKey: key } });
    expect(first.recordUsage.reason).toBe('LIMIT_REACHED');
    const second = await writer.request(RecordUsageDocument, { input: { businessId: 'biz_retry_refused', meter: 'calls', quantity: 5, idempotencyKey: key } });
    expect(second.recordUsage).toMatchObject({ accepted: true, duplicate: false });
  });

  it('answers every rejected event of a batch by index, counting the rest', async () => {
    await subscribed(app, 'biz_batch_refusals', 'hard_five');
    const writer = await usageWriter(app);
    const b = 'biz_batch_refusals';
    const { recordUsageBatch } = await writer.request(RecordUsageBatchDocument, {
      events: [
        { businessId: b, meter: 'calls', quantity: 2, idempotencyKey: callKey() },
        { businessId: b, meter: 'minutes', quantity: 2, idempotencyKey: callKey() },
        { businessId: b, meter: 'calls', quantity: 4, idempotencyKey: callKey() },
        { businessId: b, meter: 'calls', quantity: 3, idempotencyKey: callKey() },
        { businessId: 'biz_nobody', meter: 'calls', quantity: 1, idempotencyKey: callKey() },
        { businessId: b, meter: 'calls', quantity: 1, idempotencyKey: callKey(), occurredAt: '2026-03-01T00:00:00.000Z' },
      ],
    });
    expect(recordUsageBatch).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, reason: 'UNKNOWN_METER' },
        { index: 2, reason: 'LIMIT_REACHED' }, // 2 + 4 > 5; the next one (3) still fits
        { index: 4, reason: 'NO_SUBSCRIPTION' },
        { index: 5, reason: 'PERIOD_CLOSED' },
      ],
    });
  });

  it('answers bad requests as BAD_USER_INPUT and records nothing of them', async () => {
    await subscribed(app, 'biz_bad_input', 'hard_five');
    const writer = await usageWriter(app);
    await expectGraphQLError(writer.request(RecordUsageDocument, { input: { businessId: 'biz_bad_input', meter: 'calls', quantity: 1, idempotencyKey: ' ' } }), 'BAD_USER_INPUT');
    await expectGraphQLError(
      writer.request(RecordUsageBatchDocument, {
        events: [
          { businessId: 'biz_bad_input', meter: 'calls', quantity: 1, idempotencyKey: callKey() },
          { businessId: 'biz_bad_input', meter: 'calls', quantity: 1, idempotencyKey: '' },
        ],
      }),
      'BAD_USER_INPUT',
    );
    await expectGraphQLError(
      writer.request(RecordUsageBatchDocument, { events: Array.from({ length: 1001 }, () => ({ businessId: 'biz_bad_input', meter: 'calls', quantity: 1, idempotencyKey: callKey() })) }),
      'BAD_USER_INPUT',
    );
    expect((await writer.request(CheckUsageDocument, { businessId: 'biz_bad_input', meter: 'calls', quantity: 5 })).checkUsage).toEqual({ allowed: true, remaining: 5, reason: null });
  });

  it('checkUsage names why it would refuse', async () => {
    await subscribed(app, 'biz_check_refusals', 'hard_five');
    const writer = await usageWriter(app);
    const check = async (businessId: string, meter: string, quantity?: number) => (await writer.request(CheckUsageDocument, { businessId, meter, quantity })).checkUsage;
    expect(await check('biz_nobody', 'calls')).toEqual({ allowed: false, remaining: null, reason: 'NO_SUBSCRIPTION' });
    expect(await check('biz_check_refusals', 'sms')).toEqual({ allowed: false, remaining: null, reason: 'UNKNOWN_METER' });
    expect(await check('biz_check_refusals', 'calls', 0)).toEqual({ allowed: false, remaining: null, reason: 'INVALID_QUANTITY' });
    expect(await check('biz_check_refusals', 'calls', 6)).toEqual({ allowed: false, remaining: 5, reason: 'LIMIT_REACHED' });
    // A meter the plan does not limit is unlimited.
    expect(await check('biz_check_refusals', 'call_minutes', 1_000)).toEqual({ allowed: true, remaining: null, reason: null });
  });

  it('usageSeries refuses an unknown meter and more than 366 days', async () => {
    const owner = await subscribed(app, 'biz_series_errors', 'hard_five');
    await expectGraphQLError(owner.request(UsageSeriesDocument, { meter: 'sms', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }), 'BAD_USER_INPUT');
    await expectGraphQLError(owner.request(UsageSeriesDocument, { meter: 'calls', from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }), 'BAD_USER_INPUT');
    await expectGraphQLError(owner.request(UsageSeriesDocument, { meter: 'calls', from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }), 'BAD_USER_INPUT');
    expect((await owner.request(UsageSeriesDocument, { meter: 'calls', from: '2025-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })).usageSeries).toHaveLength(365);
  });
});

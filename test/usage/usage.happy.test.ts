import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckUsageDocument, RecordUsageBatchDocument, RecordUsageDocument, SubscriptionUsageDocument, UsageSeriesDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { frozenAt } from '../support/frozen-clock.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

const NOW = '2026-03-10T12:00:00.000Z';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt(NOW) });
  await createFreePlan(app, 'soft_ten', [
    { meter: 'calls', included: 10, enforcement: 'SOFT', overageUnitAmount: 7 },
    { meter: 'call_minutes', included: null, enforcement: 'SOFT' },
  ]);
});
afterAll(() => app?.close());

describe('recording usage', () => {
  it('counts an event, answers the meter after it, and shows it on the subscription', async () => {
    const owner = await subscribed(app, 'biz_happy', 'free'); // free: 100 calls, 500 minutes, HARD
    const writer = await usageWriter(app);
    const { recordUsage } = await writer.request(RecordUsageDocument, {
      input: { businessId: 'biz_happy', meter: 'calls', quantity: 1, idempotencyKey: callKey(), metadata: { callId: 'c1', from: '+15550001' } },
    });
    expect(recordUsage).toEqual({
      accepted: true,
      duplicate: false,
      reason: null,
      usage: { meter: 'calls', used: 1, included: 100, remaining: 99, limitReached: false },
    });
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_happy', meter: 'call_minutes', quantity: 12, idempotencyKey: callKey() } });

    const { billingAccount } = await owner.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage).toEqual([
      { meter: 'calls', used: 1, included: 100, remaining: 99, overage: 0, limitReached: false, periodStart: NOW, periodEnd: '2026-04-10T12:00:00.000Z' },
      { meter: 'call_minutes', used: 12, included: 500, remaining: 488, overage: 0, limitReached: false, periodStart: NOW, periodEnd: '2026-04-10T12:00:00.000Z' },
    ]);
  });

  it('answers a repeated key as a duplicate and counts it once, also a month later in the batch', async () => {
    await subscribed(app, 'biz_dup', 'free');
    const writer = await usageWriter(app);
    const key = callKey('dup');
    const first = await writer.request(RecordUsageDocument, { input: { businessId: 'biz_dup', meter: 'calls', quantity: 1, idempotencyKey: key } });
    const again = await writer.request(RecordUsageDocument, { input: { businessId: 'biz_dup', meter: 'calls', quantity: 1, idempotencyKey: key } });
    expect(first.recordUsage).toMatchObject({ accepted: true, duplicate: false });
    expect(again.recordUsage).toMatchObject({ accepted: true, duplicate: true, usage: { used: 1 } });

    const batch = await writer.request(RecordUsageBatchDocument, {
      events: [
        { businessId: 'biz_dup', meter: 'calls', quantity: 1, idempotencyKey: key },
        { businessId: 'biz_dup', meter: 'calls', quantity: 2, idempotencyKey: callKey() },
        { businessId: 'biz_dup', meter: 'calls', quantity: 0, idempotencyKey: callKey() },
      ],
    });
    expect(batch.recordUsageBatch).toEqual({ accepted: 1, duplicates: 1, rejected: [{ index: 2, reason: 'INVALID_QUANTITY' }] });
    const check = await writer.request(CheckUsageDocument, { businessId: 'biz_dup', meter: 'calls', quantity: 1 });
    expect(check.checkUsage).toEqual({ allowed: true, remaining: 97, reason: null }); // 100 - (1 + 2)
  });

  it('admits everything on a SOFT limit and shows the units above included as overage', async () => {
    const owner = await subscribed(app, 'biz_soft', 'soft_ten');
    const writer = await usageWriter(app);
    const { recordUsageBatch } = await writer.request(RecordUsageBatchDocument, {
      events: Array.from({ length: 13 }, () => ({ businessId: 'biz_soft', meter: 'calls', quantity: 1, idempotencyKey: callKey() })),
    });
    expect(recordUsageBatch).toEqual({ accepted: 13, duplicates: 0, rejected: [] });
    const { billingAccount } = await owner.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage).toEqual([
      expect.objectContaining({ meter: 'calls', used: 13, included: 10, remaining: 0, overage: 3, limitReached: true }),
      expect.objectContaining({ meter: 'call_minutes', used: 0, included: null, remaining: null, overage: 0, limitReached: false }),
    ]);
    const check = await writer.request(CheckUsageDocument, { businessId: 'biz_soft', meter: 'calls', quantity: 500 });
    expect(check.checkUsage).toEqual({ allowed: true, remaining: 0, reason: null });
  });

  it('checkUsage answers without counting', async () => {
    await subscribed(app, 'biz_check', 'free');
    const writer = await usageWriter(app);
    for (let i = 0; i < 3; i++) {
      expect((await writer.request(CheckUsageDocument, { businessId: 'biz_check', meter: 'calls', quantity: 100 })).checkUsage).toEqual({
        allowed: true,
        remaining: 100,
        reason: null,
      });
    }
    expect((await writer.request(CheckUsageDocument, { businessId: 'biz_check', meter: 'calls', quantity: 101 })).checkUsage).toEqual({
      allowed: false,
      remaining: 100,
      reason: 'LIMIT_REACHED',
    });
    expect((await writer.request(CheckUsageDocument, { businessId: 'biz_check', meter: 'calls' })).checkUsage.allowed).toBe(true);
  });

  it('answers checks made at the same moment each for its own business and meter', async () => {
    await subscribed(app, 'biz_many_hard', 'free'); // 100 calls, 500 minutes, HARD
    await subscribed(app, 'biz_many_soft', 'soft_ten');
    const writer = await usageWriter(app);
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_many_hard', meter: 'calls', quantity: 40, idempotencyKey: callKey() } });
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_many_soft', meter: 'calls', quantity: 13, idempotencyKey: callKey() } });
    const asks = [
      { businessId: 'biz_many_hard', meter: 'calls', quantity: 60, answer: { allowed: true, remaining: 60, reason: null } },
      { businessId: 'biz_many_hard', meter: 'calls', quantity: 61, answer: { allowed: false, remaining: 60, reason: 'LIMIT_REACHED' } },
      { businessId: 'biz_many_hard', meter: 'call_minutes', quantity: 1, answer: { allowed: true, remaining: 500, reason: null } },
      { businessId: 'biz_many_soft', meter: 'calls', quantity: 1, answer: { allowed: true, remaining: 0, reason: null } },
      { businessId: 'biz_many_soft', meter: 'call_minutes', quantity: 1_000, answer: { allowed: true, remaining: null, reason: null } },
      { businessId: 'biz_many_nobody', meter: 'calls', quantity: 1, answer: { allowed: false, remaining: null, reason: 'NO_SUBSCRIPTION' } },
    ];
    // Submitted in one turn of the event loop, the service's checks go into one shared read.
    const many = Array.from({ length: 60 }, (_, i) => asks[(i * 7) % asks.length]!);
    const answers = await Promise.all(many.map((a) => app.services.usage.check(a.businessId, a.meter, a.quantity)));
    expect(answers).toEqual(many.map((a) => a.answer));
    // And through the API, all at once.
    const overHttp = await Promise.all(many.map((a) => writer.request(CheckUsageDocument, { businessId: a.businessId, meter: a.meter, quantity: a.quantity })));
    expect(overHttp.map((r) => r.checkUsage)).toEqual(many.map((a) => a.answer));
  });

  it('usageSeries answers UTC days, zero-filled', async () => {
    const owner = await subscribed(app, 'biz_series', 'free');
    const writer = await usageWriter(app);
    // Earlier today (period started at 12:00 today), and now.
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_series', meter: 'call_minutes', quantity: 5, idempotencyKey: callKey(), occurredAt: '2026-03-10T12:00:00.000Z' } });
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_series', meter: 'call_minutes', quantity: 7, idempotencyKey: callKey(), occurredAt: '2026-03-10T12:03:00.000Z' } });
    await writer.request(RecordUsageDocument, { input: { businessId: 'biz_series', meter: 'calls', quantity: 1, idempotencyKey: callKey() } });
    const { usageSeries } = await owner.request(UsageSeriesDocument, { meter: 'call_minutes', from: '2026-03-08T00:00:00.000Z', to: '2026-03-12T00:00:00.000Z' });
    expect(usageSeries).toEqual([
      { start: '2026-03-08T00:00:00.000Z', end: '2026-03-09T00:00:00.000Z', quantity: 0 },
      { start: '2026-03-09T00:00:00.000Z', end: '2026-03-10T00:00:00.000Z', quantity: 0 },
      { start: '2026-03-10T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z', quantity: 12 },
      { start: '2026-03-11T00:00:00.000Z', end: '2026-03-12T00:00:00.000Z', quantity: 0 },
    ]);
    const member = await app.memberOf('biz_series');
    expect((await member.request(UsageSeriesDocument, { meter: 'calls', from: '2026-03-10T05:00:00.000Z', to: '2026-03-10T18:00:00.000Z' })).usageSeries).toEqual([
      { start: '2026-03-10T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z', quantity: 1 },
    ]);
  });
});

describe('admission checks while the billing side is busy', () => {
  it('checks and records usage while every connection of the main pool is held by a transaction', async () => {
    await subscribed(app, 'biz_busy', 'free');
    const writer = await usageWriter(app);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The main pool has 10 connections: hold them all, as long-running transactions would.
    const holders = Array.from({ length: 10 }, () => app.services.db.transaction(() => held));
    try {
      const within3s = <T>(answer: Promise<T>) => Promise.race([answer, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), 3000))]);
      expect(await within3s(writer.request(CheckUsageDocument, { businessId: 'biz_busy', meter: 'calls', quantity: 1 }))).toEqual({
        checkUsage: { allowed: true, remaining: 100, reason: null },
      });
      const recorded = await within3s(writer.request(RecordUsageDocument, { input: { businessId: 'biz_busy', meter: 'calls', quantity: 2, idempotencyKey: callKey('busy') } }));
      expect(recorded).toMatchObject({ recordUsage: { accepted: true, duplicate: false, reason: null, usage: { used: 2, remaining: 98 } } });
    } finally {
      release();
      await Promise.all(holders);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckUsageDocument,
  MarkNotificationReadDocument,
  NotificationsDocument,
  OperatorSubscriptionUsageDocument,
  RecordUsageBatchDocument,
  RecordUsageDocument,
  SubscriptionUsageDocument,
  UsageSeriesDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { callKey, createFreePlan, subscribed, usageWriter } from './usage.support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await createFreePlan(app, 'hard_two', [{ meter: 'calls', included: 2, enforcement: 'HARD' }]);
  await subscribed(app, 'biz_a', 'hard_two');
  await subscribed(app, 'biz_b', 'hard_two');
  const writer = await usageWriter(app);
  for (const businessId of ['biz_a', 'biz_b']) {
    await writer.request(RecordUsageDocument, { input: { businessId, meter: 'calls', quantity: 2, idempotencyKey: callKey() } });
  }
});
afterAll(() => app?.close());

const event = { businessId: 'biz_a', meter: 'calls', quantity: 1, idempotencyKey: 'k-sec' };
const series = { meter: 'calls', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };

describe('who may record and read usage', () => {
  it('lets only usage:write tokens record and check usage', async () => {
    await expectGraphQLError(app.client().request(RecordUsageDocument, { input: event }), 'UNAUTHENTICATED');
    for (const client of [await app.ownerOf('biz_a'), await app.memberOf('biz_a'), await app.operator()]) {
      await expectGraphQLError(client.request(RecordUsageDocument, { input: event }), 'FORBIDDEN');
      await expectGraphQLError(client.request(RecordUsageBatchDocument, { events: [event] }), 'FORBIDDEN');
      await expectGraphQLError(client.request(CheckUsageDocument, { businessId: 'biz_a', meter: 'calls' }), 'FORBIDDEN');
    }
  });

  it('lets usage:write do nothing else', async () => {
    const writer = await usageWriter(app);
    await expectGraphQLError(writer.request(SubscriptionUsageDocument), 'FORBIDDEN');
    await expectGraphQLError(writer.request(NotificationsDocument, { first: 5 }), 'FORBIDDEN');
    await expectGraphQLError(writer.request(UsageSeriesDocument, series), 'FORBIDDEN');
    await expectGraphQLError(writer.request(MarkNotificationReadDocument, { id: '00000000-0000-0000-0000-000000000000' }), 'FORBIDDEN');
  });

  it('lets a member read its own business\'s usage and notifications and mark them read', async () => {
    const member = await app.memberOf('biz_a');
    const { billingAccount } = await member.request(SubscriptionUsageDocument);
    expect(billingAccount.subscription!.usage[0]).toMatchObject({ meter: 'calls', used: 2, limitReached: true });
    expect((await member.request(UsageSeriesDocument, series)).usageSeries).toEqual([{ start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z', quantity: 0 }]);
    const edges = (await member.request(NotificationsDocument, { first: 10 })).billingAccount.notifications.edges;
    expect(edges.map((e) => e.node.kind).sort()).toEqual(['USAGE_100', 'USAGE_50', 'USAGE_80']);
    const { markNotificationRead } = await member.request(MarkNotificationReadDocument, { id: edges[0]!.node.id });
    expect(markNotificationRead.readAt).not.toBeNull();
    // Marking again keeps the first read time.
    expect((await member.request(MarkNotificationReadDocument, { id: edges[0]!.node.id })).markNotificationRead.readAt).toBe(markNotificationRead.readAt);
  });

  it('answers another business\'s notification as NOT_FOUND, and never shows it', async () => {
    const ofB = (await (await app.ownerOf('biz_b')).request(NotificationsDocument, { first: 10 })).billingAccount.notifications.edges;
    const ownerA = await app.ownerOf('biz_a');
    await expectGraphQLError(ownerA.request(MarkNotificationReadDocument, { id: ofB[0]!.node.id }), 'NOT_FOUND');
    await expectGraphQLError(ownerA.request(MarkNotificationReadDocument, { id: 'not-a-uuid' }), 'NOT_FOUND');
    const idsOfA = (await ownerA.request(NotificationsDocument, { first: 10 })).billingAccount.notifications.edges.map((e) => e.node.id);
    expect(idsOfA).not.toContain(ofB[0]!.node.id);
    // B's stays unread.
    expect((await (await app.ownerOf('biz_b')).request(NotificationsDocument, { first: 10 })).billingAccount.notifications.edges.every((e) => e.node.readAt === null)).toBe(true);
  });

  it('lets operators read any business\'s usage, by name', async () => {
    const { billingAccount } = await (await app.operator()).request(OperatorSubscriptionUsageDocument, { businessId: 'biz_b' });
    expect(billingAccount.subscription!.usage[0]).toMatchObject({ meter: 'calls', used: 2 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckUsageDocument, RecordUsageDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { callKey, subscribed, usageWriter } from './usage.support.js';

// An UNPAID subscription (its grace period over) blocks usage. Dunning that gets it there is a later
// issue, so the test puts the subscription in that state directly.
async function setStatus(businessId: string, status: 'unpaid' | 'active') {
  const handle = app.database.connect();
  await handle.sql`update subscriptions set status = ${status} where business_id = ${businessId} and status in ('active', 'unpaid')`;
  await handle.close();
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('a restricted account', () => {
  it('is refused with ACCOUNT_RESTRICTED and nothing is counted', async () => {
    await subscribed(app, 'biz_restricted', 'free');
    await setStatus('biz_restricted', 'unpaid');
    const writer = await usageWriter(app);
    const { recordUsage } = await writer.request(RecordUsageDocument, { input: { businessId: 'biz_restricted', meter: 'calls', quantity: 1, idempotencyKey: callKey() } });
    expect(recordUsage).toMatchObject({ accepted: false, reason: 'ACCOUNT_RESTRICTED' });
    expect((await writer.request(CheckUsageDocument, { businessId: 'biz_restricted', meter: 'calls' })).checkUsage).toEqual({ allowed: false, remaining: null, reason: 'ACCOUNT_RESTRICTED' });
    await setStatus('biz_restricted', 'active');
    expect((await writer.request(CheckUsageDocument, { businessId: 'biz_restricted', meter: 'calls' })).checkUsage).toEqual({ allowed: true, remaining: 100, reason: null });
  });
});

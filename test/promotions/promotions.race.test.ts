import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusiness } from '../../src/businesses/businesses.repo.js';
import { CreatePromoCodeDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { invalidReason, redeemFor } from './promotions.support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('promo codes under concurrency', () => {
  it('never exceeds maxRedemptions: 20 businesses race for the last 5 of 25', async () => {
    const operator = await app.operator();
    await operator.request(CreatePromoCodeDocument, { input: { code: 'launch', percentOff: 30, duration: 'ONCE', maxRedemptions: 25 } });
    for (let i = 0; i < 20; i++) await redeemFor(app, `biz_early_${i}`, 'launch');
    expect((await app.services.promotions.findByCode('launch'))!.timesRedeemed).toBe(20);

    const { db, promotions, clock } = app.services;
    const racers = Array.from({ length: 20 }, (_, i) => `biz_racer_${i}`);
    for (const id of racers) await ensureBusiness(db, id, id);
    const outcomes = await Promise.allSettled(
      racers.map((businessId) =>
        db.transaction((tx) =>
          promotions.redeem(tx, { code: 'LAUNCH', businessId, planCode: 'starter_monthly', isFirstTimeCustomer: true, now: clock.now() }),
        ),
      ),
    );

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(5);
    expect(lost).toHaveLength(15);
    expect(await Promise.all(lost.map((o) => invalidReason(Promise.reject(o.reason))))).toEqual(Array(15).fill('MAX_REDEMPTIONS_REACHED'));
    expect((await promotions.findByCode('launch'))!.timesRedeemed).toBe(25);
    const rows = await app.services.db.query.promoRedemptions.findMany();
    expect(rows.filter((r) => r.businessId.startsWith('biz_racer_'))).toHaveLength(5);
  });

  it('lets one business redeem a code once, however many requests race', async () => {
    const operator = await app.operator();
    await operator.request(CreatePromoCodeDocument, { input: { code: 'double-click', amountOff: 500, currency: 'usd', duration: 'ONCE' } });
    const { db, promotions, clock } = app.services;
    await ensureBusiness(db, 'biz_clicker', 'Clicker');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        db.transaction((tx) =>
          promotions.redeem(tx, { code: 'double-click', businessId: 'biz_clicker', planCode: 'starter_monthly', now: clock.now() }),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const reasons = await Promise.all(
      outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => invalidReason(Promise.reject(o.reason))),
    );
    expect(reasons).toEqual(Array(7).fill('ALREADY_REDEEMED'));
    expect((await promotions.findByCode('double-click'))!.timesRedeemed).toBe(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePromoCodeDetailsDocument,
  CreatePromoCodeDocument,
  DeactivatePromoCodeDocument,
  ValidatePromoCodeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { redeemFor } from './promotions.support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('promo codes: the happy path', () => {
  it('creates a percent code typed in mixed case, and finds it in any case', async () => {
    const operator = await app.operator();
    const { createPromoCode } = await operator.request(CreatePromoCodeDocument, {
      input: { code: 'Summer25', percentOff: 25, duration: 'ONCE' },
    });
    expect(createPromoCode).toMatchObject({ code: 'summer25', active: true, timesRedeemed: 0 });

    const owner = await app.ownerOf('biz_happy_1');
    for (const typed of ['SUMMER25', 'summer25', ' Summer25 ']) {
      const { validatePromoCode } = await owner.request(ValidatePromoCodeDocument, { code: typed });
      expect(validatePromoCode).toEqual({
        valid: true,
        reason: null,
        percentOff: 25,
        amountOff: null,
        duration: 'ONCE',
        durationInMonths: null,
      });
    }
  });

  it('creates a fixed-amount repeating code with every option, and answers all of it', async () => {
    const operator = await app.operator();
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const { createPromoCode } = await operator.request(CreatePromoCodeDetailsDocument, {
      input: {
        code: 'TEN-OFF',
        amountOff: 1000,
        currency: 'USD',
        duration: 'REPEATING',
        durationInMonths: 3,
        maxRedemptions: 100,
        expiresAt,
        planCodes: ['Starter_Monthly', 'growth_monthly'],
        firstTimeOnly: true,
      },
    });
    expect(createPromoCode).toMatchObject({
      code: 'ten-off',
      active: true,
      timesRedeemed: 0,
      percentOff: null,
      amountOff: { amount: 1000, currency: 'usd' },
      duration: 'REPEATING',
      durationInMonths: 3,
      maxRedemptions: 100,
      expiresAt,
      planCodes: ['starter_monthly', 'growth_monthly'],
      firstTimeOnly: true,
    });

    const member = await app.memberOf('biz_happy_2');
    const { validatePromoCode } = await member.request(ValidatePromoCodeDocument, { code: 'Ten-Off', planCode: 'starter_monthly' });
    expect(validatePromoCode).toEqual({
      valid: true,
      reason: null,
      percentOff: null,
      amountOff: { amount: 1000, currency: 'usd' },
      duration: 'REPEATING',
      durationInMonths: 3,
    });
  });

  it('creates a FOREVER code with defaults (unlimited, never expires, every plan)', async () => {
    const operator = await app.operator();
    const { createPromoCode } = await operator.request(CreatePromoCodeDetailsDocument, {
      input: { code: 'partner', percentOff: 100, duration: 'FOREVER' },
    });
    expect(createPromoCode).toMatchObject({
      percentOff: 100,
      duration: 'FOREVER',
      durationInMonths: null,
      maxRedemptions: null,
      expiresAt: null,
      planCodes: [],
      firstTimeOnly: false,
    });
    const owner = await app.ownerOf('biz_happy_3');
    const { validatePromoCode } = await owner.request(ValidatePromoCodeDocument, { code: 'PARTNER', planCode: 'growth_yearly' });
    expect(validatePromoCode.valid).toBe(true);
  });

  it('redeems a code once per business, counting each redemption and snapshotting the terms', async () => {
    const operator = await app.operator();
    await operator.request(CreatePromoCodeDocument, {
      input: { code: 'quarter', percentOff: 20, duration: 'REPEATING', durationInMonths: 3, maxRedemptions: 5 },
    });
    const before = app.services.clock.now();
    const discount = await redeemFor(app, 'biz_happy_4', 'QUARTER');
    expect(discount).toMatchObject({
      code: 'quarter',
      percentOff: 20,
      amountOff: null,
      duration: 'repeating',
      durationInMonths: 3,
      schedule: { kind: 'until' },
    });
    expect(discount.redeemedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(discount.endsAt!.getUTCMonth()).toBe((discount.redeemedAt.getUTCMonth() + 3) % 12);

    await redeemFor(app, 'biz_happy_5', 'quarter');
    expect((await app.services.promotions.findByCode('Quarter'))!.timesRedeemed).toBe(2);

    // Another business's redemption does not make the code used up for this one.
    const { validatePromoCode } = await (await app.ownerOf('biz_happy_6')).request(ValidatePromoCodeDocument, { code: 'quarter' });
    expect(validatePromoCode.valid).toBe(true);
  });

  it('redeems a ONCE code as a one-invoice schedule with no end date', async () => {
    await (await app.operator()).request(CreatePromoCodeDocument, { input: { code: 'first-month', amountOff: 2900, currency: 'usd', duration: 'ONCE' } });
    const discount = await redeemFor(app, 'biz_happy_7', 'first-month');
    expect(discount).toMatchObject({ amountOff: { amount: 2900, currency: 'usd' }, schedule: { kind: 'once' }, endsAt: null });
  });

  it('deactivates a code, idempotently; validation then answers INACTIVE', async () => {
    const operator = await app.operator();
    await operator.request(CreatePromoCodeDocument, { input: { code: 'flash', percentOff: 40, duration: 'ONCE' } });
    const first = await operator.request(DeactivatePromoCodeDocument, { code: 'FLASH' });
    expect(first.deactivatePromoCode).toEqual({ code: 'flash', active: false });
    const again = await operator.request(DeactivatePromoCodeDocument, { code: 'flash' });
    expect(again.deactivatePromoCode).toEqual({ code: 'flash', active: false });

    const { validatePromoCode } = await (await app.ownerOf('biz_happy_8')).request(ValidatePromoCodeDocument, { code: 'flash' });
    expect(validatePromoCode).toEqual({
      valid: false,
      reason: 'INACTIVE',
      percentOff: null,
      amountOff: null,
      duration: null,
      durationInMonths: null,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePlanDocument,
  CreatePromoCodeDocument,
  CurrentSubscriptionDocument,
  InvoiceDocument,
  RedeemPromoCodeDocument,
  SetTaxRateDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { frozenAt } from '../support/frozen-clock.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt('2026-06-01T00:00:00.000Z') });
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, { input: { code: 'team', name: 'Team', interval: 'MONTH', amount: 4999, currency: 'usd' } });
  await operator.request(CreatePromoCodeDocument, { input: { code: 'HALF', percentOff: 50, duration: 'ONCE' } });
  await operator.request(CreatePromoCodeDocument, { input: { code: 'TENOFF', amountOff: 1000, currency: 'usd', duration: 'REPEATING', durationInMonths: 3 } });
  await operator.request(CreatePromoCodeDocument, { input: { code: 'ONLYFREE', percentOff: 10, duration: 'FOREVER', planCodes: ['free'] } });
});
afterAll(() => app?.close());

describe('promo codes on subscriptions', () => {
  it('discounts the first invoice of a ONCE code, and not the renewal', async () => {
    const owner = await app.ownerOf('biz_half');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'team', paymentMethodId: 'pm_card_visa', promoCode: 'half' } });
    // 4999 * 50 / 100 = 2499.5 -> 2500 (half to even); total 4999 - 2500 = 2499
    expect(subscribe.latestInvoice).toMatchObject({ status: 'PAID', total: { amount: 2499 } });
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.upcomingInvoice!.total.amount).toBe(4999);
  });

  it('applies a REPEATING fixed code redeemed later to the coming invoices, once per subscription', async () => {
    const owner = await app.ownerOf('biz_tenoff');
    await owner.request(SubscribeDocument, { input: { planCode: 'team', paymentMethodId: 'pm_card_visa' } });
    const { redeemPromoCode } = await owner.request(RedeemPromoCodeDocument, { code: 'TenOff' });
    expect(redeemPromoCode.discount).toEqual({ promoCode: 'TENOFF', percentOff: null, amountOff: { amount: 1000 }, endsAt: '2026-09-01T00:00:00.000Z' });
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.upcomingInvoice!.lines.map((l) => [l.kind, l.amount.amount])).toEqual([
      ['SUBSCRIPTION', 4999],
      ['DISCOUNT', -1000],
    ]);
    const again = await expectGraphQLError(owner.request(RedeemPromoCodeDocument, { code: 'HALF' }), 'CONFLICT');
    expect(again.message).toMatch(/one discount per subscription/);
  });

  it('adds exclusive tax at the business\'s rate after the discount', async () => {
    const operator = await app.operator();
    await operator.request(SetTaxRateDocument, { businessId: 'biz_taxed', basisPoints: 825 });
    await expectGraphQLError(operator.request(SetTaxRateDocument, { businessId: 'biz_taxed', basisPoints: 10001 }), 'BAD_USER_INPUT');
    await expectGraphQLError((await app.ownerOf('biz_taxed')).request(SetTaxRateDocument, { businessId: 'biz_taxed', basisPoints: 0 }), 'FORBIDDEN');
    const owner = await app.ownerOf('biz_taxed');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'team', paymentMethodId: 'pm_card_visa', promoCode: 'HALF' } });
    const { invoice } = await owner.request(InvoiceDocument, { id: subscribe.latestInvoice!.id });
    expect(invoice.lines.map((l) => [l.kind, l.amount.amount])).toEqual([
      ['SUBSCRIPTION', 4999],
      ['DISCOUNT', -2500], // 4999 * 50% = 2499.5 -> 2500 (half to even)
      ['TAX', 206], //        (4999 - 2500) * 8.25% = 206.17 -> 206
    ]);
    expect(invoice.total.amount).toBe(2705); // 4999 - 2500 + 206
  });

  it('refuses a code restricted to other plans with PROMO_CODE_INVALID and its reason, leaving no subscription', async () => {
    const owner = await app.ownerOf('biz_wrong_plan');
    const error = await expectGraphQLError(
      owner.request(SubscribeDocument, { input: { planCode: 'team', paymentMethodId: 'pm_card_visa', promoCode: 'ONLYFREE' } }),
      'PROMO_CODE_INVALID',
    );
    expect(error.extensions.reason).toBe('NOT_APPLICABLE_TO_PLAN');
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.subscription).toBeNull();
  });
});

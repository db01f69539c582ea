import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvanceClockDocument,
  BillingOverviewDocument,
  InvoiceDocument,
  InvoicesDocument,
  CreatePlanDocument,
  CreatePromoCodeDocument,
  RecordUsageDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { frozenAt } from '../support/frozen-clock.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt('2026-04-01T00:00:00.000Z') });
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, {
    input: {
      code: 'metered',
      name: 'Metered',
      interval: 'MONTH',
      amount: 1000,
      currency: 'usd',
      limits: [{ meter: 'calls', included: 10, enforcement: 'SOFT', overageUnitAmount: 7 }],
    },
  });
  await operator.request(CreatePromoCodeDocument, { input: { code: 'WELCOME', percentOff: 20, duration: 'FOREVER' } });
});
afterAll(() => app?.close());

describe('BillingOverview, as the dashboard sends it', () => {
  it('shows the subscription, its usage and discount, the cards, the upcoming invoice and no restriction', async () => {
    const owner = await app.ownerOf('biz_overview');
    await owner.request(SubscribeDocument, { input: { planCode: 'metered', paymentMethodId: 'pm_card_visa', promoCode: 'WELCOME' } });
    const writer = app.client(await app.token({ sub: 'call-tracker', scopes: ['usage:write'] }));
    for (let i = 0; i < 12; i++) {
      await writer.request(RecordUsageDocument, { input: { businessId: 'biz_overview', meter: 'calls', quantity: 1, idempotencyKey: `call-${i}` } });
    }

    const { billingAccount } = await owner.request(BillingOverviewDocument);
    expect(billingAccount.id).toBe('biz_overview');
    expect(billingAccount.restrictions).toEqual({ usageBlocked: false, readOnly: false, reason: null });
    expect(billingAccount.subscription).toMatchObject({
      status: 'ACTIVE',
      currentPeriodStart: '2026-04-01T00:00:00.000Z',
      currentPeriodEnd: '2026-05-01T00:00:00.000Z',
      plan: { code: 'metered', price: { amount: 1000, currency: 'usd' } },
      pendingChange: null,
      discount: { promoCode: 'WELCOME', percentOff: 20, amountOff: null, endsAt: null },
    });
    expect(billingAccount.subscription!.usage.find((u) => u.meter === 'calls')).toMatchObject({
      used: 12,
      included: 10,
      remaining: 0,
      overage: 2,
      limitReached: true,
    });
    expect(billingAccount.paymentMethods).toEqual([expect.objectContaining({ brand: 'visa', last4: '4242', isDefault: true })]);
    // The renewal: 2 overage calls at 7 cents for April, May at $10.00, then 20% off the lot.
    expect(billingAccount.upcomingInvoice!.lines.map((l) => [l.kind, l.amount.amount])).toEqual([
      ['OVERAGE', 14], //       2 x 7
      ['SUBSCRIPTION', 1000],
      ['DISCOUNT', -203], //    (14 + 1000) x 20% = 202.8 -> 203
    ]);
    expect(billingAccount.upcomingInvoice!.total).toEqual({ amount: 811, currency: 'usd' }); // 1014 - 203

    // At the period end the renewal invoice is exactly that, and the new period starts with no usage.
    await (await app.operator()).request(AdvanceClockDocument, { to: '2026-05-01T00:00:00.000Z' });
    const after = (await owner.request(BillingOverviewDocument)).billingAccount;
    const { invoice } = await owner.request(InvoiceDocument, { id: (await owner.request(InvoicesDocument, { first: 1 })).billingAccount.invoices.edges[0]!.node.id });
    expect(invoice).toMatchObject({ status: 'PAID', total: { amount: 811 } });
    expect(invoice.lines.map((l) => [l.kind, l.amount.amount])).toEqual([['OVERAGE', 14], ['SUBSCRIPTION', 1000], ['DISCOUNT', -203]]);
    expect(after.subscription!.usage.find((u) => u.meter === 'calls')).toMatchObject({ used: 0, remaining: 10, overage: 0, periodStart: '2026-05-01T00:00:00.000Z' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BillingHistoryDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CurrentSubscriptionDocument,
  InvoiceDocument,
  PayInvoiceDocument,
  PreviewPlanChangeDocument,
  RedeemPromoCodeDocument,
  ResumeSubscriptionDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
let victimInvoiceId: string;
beforeAll(async () => {
  app = await startTestApp();
  const victim = await app.ownerOf('biz_victim');
  await victim.request(SubscribeDocument, { input: { planCode: 'starter_monthly', paymentMethodId: 'pm_card_visa' } });
  await victim.request(CancelSubscriptionDocument, { input: { atPeriodEnd: false } });
  const { subscribe } = await victim.request(SubscribeDocument, { input: { planCode: 'growth_monthly' } });
  victimInvoiceId = subscribe.latestInvoice!.id;
});
afterAll(() => app?.close());

describe('subscriptions and invoices: tenant isolation and roles', () => {
  it('never shows or changes another business\'s subscription or invoices', async () => {
    const attacker = await app.ownerOf('biz_attacker');
    await expectGraphQLError(attacker.request(InvoiceDocument, { id: victimInvoiceId }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(PayInvoiceDocument, { id: victimInvoiceId }), 'NOT_FOUND');
    const { billingAccount } = await attacker.request(CurrentSubscriptionDocument);
    expect(billingAccount.subscription).toBeNull();
    expect((await attacker.request(BillingHistoryDocument, {})).billingAccount.history.edges).toEqual([]);
    await expectGraphQLError(attacker.request(CancelSubscriptionDocument, { input: { atPeriodEnd: false } }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(ChangePlanDocument, { input: { planCode: 'growth_monthly' } }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(PreviewPlanChangeDocument, { planCode: 'growth_monthly' }), 'NOT_FOUND');

    const victim = await app.ownerOf('biz_victim');
    expect((await victim.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({ status: 'ACTIVE', plan: { code: 'growth_monthly' } });
  });

  it('lets a member read but not change anything', async () => {
    const member = await app.memberOf('biz_victim');
    expect((await member.request(InvoiceDocument, { id: victimInvoiceId })).invoice.id).toBe(victimInvoiceId);
    expect((await member.request(BillingHistoryDocument, {})).billingAccount.history.edges.length).toBeGreaterThan(0);
    for (const call of [
      () => member.request(SubscribeDocument, { input: { planCode: 'free' } }),
      () => member.request(ChangePlanDocument, { input: { planCode: 'starter_monthly' } }),
      () => member.request(CancelSubscriptionDocument, { input: { atPeriodEnd: true } }),
      () => member.request(ResumeSubscriptionDocument),
      () => member.request(PayInvoiceDocument, { id: victimInvoiceId }),
      () => member.request(RedeemPromoCodeDocument, { code: 'ANY' }),
    ]) {
      await expectGraphQLError(call(), 'FORBIDDEN');
    }
  });

  it('refuses the call-tracking service and anonymous callers', async () => {
    const service = app.client(await app.token({ sub: 'call-tracker', scopes: ['usage:write'] }));
    await expectGraphQLError(service.request(CurrentSubscriptionDocument), 'FORBIDDEN');
    await expectGraphQLError(service.request(SubscribeDocument, { input: { planCode: 'free' } }), 'FORBIDDEN');
    await expectGraphQLError(app.client().request(CurrentSubscriptionDocument), 'UNAUTHENTICATED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvanceClockDocument,
  BillingHistoryDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CreatePlanDocument,
  CurrentSubscriptionDocument,
  InvoiceDocument,
  PayInvoiceDocument,
  ResumeSubscriptionDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { eventually } from '../support/eventually.js';
import { frozenAt } from '../support/frozen-clock.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt('2026-03-10T12:00:00.000Z') });
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, {
    input: { code: 'pro_no_trial', name: 'Pro', interval: 'MONTH', amount: 5000, currency: 'usd' },
  });
});
afterAll(() => app?.close());

describe('subscribing', () => {
  it('starts a 14-day trial on a plan with trial days, without a card and without an invoice', async () => {
    const owner = await app.ownerOf('biz_trial');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'starter_monthly' } });
    expect(subscribe).toMatchObject({
      status: 'TRIALING',
      trialEndsAt: '2026-03-24T12:00:00.000Z', // 2026-03-10T12:00 + 14 days
      currentPeriodEnd: '2026-03-24T12:00:00.000Z',
      plan: { code: 'starter_monthly' },
      latestInvoice: null,
    });
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    // After the trial: Starter's first month, 2026-03-24 to 2026-04-24, $29.00.
    expect(billingAccount.upcomingInvoice).toMatchObject({
      total: { amount: 2900 },
      periodStart: '2026-03-24T12:00:00.000Z',
      periodEnd: '2026-04-24T12:00:00.000Z',
    });
  });

  it('swaps the plan without a charge during the trial', async () => {
    const owner = await app.ownerOf('biz_trial_swap');
    await owner.request(SubscribeDocument, { input: { planCode: 'starter_monthly' } });
    const { changePlan } = await owner.request(ChangePlanDocument, { input: { planCode: 'growth_monthly' } });
    expect(changePlan).toMatchObject({ status: 'TRIALING', plan: { code: 'growth_monthly' }, pendingChange: null, latestInvoice: null });
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.upcomingInvoice!.total.amount).toBe(9900);
  });

  it('answers CONFLICT to a second subscribe, and gives one trial per business, ever', async () => {
    const owner = await app.ownerOf('biz_one_trial');
    await owner.request(SubscribeDocument, { input: { planCode: 'growth_monthly' } });
    await expectGraphQLError(owner.request(SubscribeDocument, { input: { planCode: 'starter_monthly' } }), 'CONFLICT');

    await owner.request(CancelSubscriptionDocument, { input: { atPeriodEnd: false, reason: 'testing' } });
    // No second trial: a paid plan now needs a card, and charges at once.
    await expectGraphQLError(owner.request(SubscribeDocument, { input: { planCode: 'starter_monthly' } }), 'BAD_USER_INPUT');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'starter_monthly', paymentMethodId: 'pm_card_visa' } });
    expect(subscribe).toMatchObject({ status: 'ACTIVE', trialEndsAt: null, latestInvoice: { status: 'PAID', total: { amount: 2900, currency: 'usd' } } });
  });

  it('starts a free plan at once with no card', async () => {
    const owner = await app.ownerOf('biz_free');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'free' } });
    expect(subscribe).toMatchObject({ status: 'ACTIVE', currentPeriodEnd: '2026-04-10T12:00:00.000Z', latestInvoice: null });
  });

  it('charges a paid plan without trial at once: ACTIVE, invoice 0001 paid, one charge at Stripe', async () => {
    const owner = await app.ownerOf('biz_paid');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'pro_no_trial', paymentMethodId: 'pm_card_visa' } });
    expect(subscribe).toMatchObject({ status: 'ACTIVE', latestInvoice: { status: 'PAID', total: { amount: 5000 } } });

    const { invoice } = await owner.request(InvoiceDocument, { id: subscribe.latestInvoice!.id });
    expect(invoice).toMatchObject({ number: 'BIZPAI-0001', status: 'PAID', lines: [{ kind: 'SUBSCRIPTION', amount: { amount: 5000 } }] });
    expect(invoice.payments).toEqual([expect.objectContaining({ status: 'SUCCEEDED', amount: { amount: 5000 }, failureCode: null })]);
    const customer = app.stripe.sandbox!.customers.list().find((c) => c.metadata.business_id === 'biz_paid')!;
    expect(app.stripe.sandbox!.charges.count({ customer: customer.id, status: 'succeeded' })).toBe(1);

    // Paying a paid invoice charges nothing more.
    const { payInvoice } = await owner.request(PayInvoiceDocument, { id: invoice.id });
    expect(payInvoice).toMatchObject({ status: 'PAID', amountPaid: { amount: 5000 } });
    expect(app.stripe.sandbox!.charges.count({ customer: customer.id })).toBe(1);
  });

  it('turns a declined first payment into PAYMENT_FAILED and leaves no live subscription', async () => {
    const owner = await app.ownerOf('biz_declined');
    const error = await expectGraphQLError(
      owner.request(SubscribeDocument, { input: { planCode: 'pro_no_trial', paymentMethodId: 'pm_card_chargeCustomerFail' } }),
      'PAYMENT_FAILED',
    );
    expect(error.extensions.declineCode).toBe('generic_decline');
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.subscription).toMatchObject({ status: 'CANCELED', latestInvoice: { status: 'VOID' } });
  });

  it('leaves a 3-D Secure first payment INCOMPLETE, then ACTIVE once the customer authenticates', async () => {
    const owner = await app.ownerOf('biz_3ds');
    const error = await expectGraphQLError(
      owner.request(SubscribeDocument, { input: { planCode: 'pro_no_trial', paymentMethodId: 'pm_card_authenticationRequired' } }),
      'PAYMENT_ACTION_REQUIRED',
    );
    expect(error.extensions.clientSecret).toMatch(/^pi_.*_secret_/);
    let { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.subscription!.status).toBe('INCOMPLETE');

    const intentId = String(error.extensions.clientSecret).split('_secret_')[0]!;
    await app.stripe.sandbox!.completeAuthentication(intentId, 'succeed');
    billingAccount = await eventually(async () => {
      const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
      expect(billingAccount.subscription!.status).toBe('ACTIVE');
      return billingAccount;
    });
    expect(billingAccount.subscription!.latestInvoice).toMatchObject({ status: 'PAID', amountPaid: { amount: 5000 } });
  });

  it('answers the same subscription to a repeated idempotency key, charging once', async () => {
    const owner = await app.ownerOf('biz_idem');
    const input = { planCode: 'pro_no_trial', paymentMethodId: 'pm_card_visa', idempotencyKey: 'signup-42' };
    const first = await owner.request(SubscribeDocument, { input });
    const again = await owner.request(SubscribeDocument, { input });
    expect(again.subscribe.id).toBe(first.subscribe.id);
    const customer = app.stripe.sandbox!.customers.list().find((c) => c.metadata.business_id === 'biz_idem')!;
    expect(app.stripe.sandbox!.charges.count({ customer: customer.id })).toBe(1);
  });
});

describe('cancelling', () => {
  it('cancels at the period end (service continues), resumes, then cancels at once', async () => {
    const owner = await app.ownerOf('biz_cancel');
    await owner.request(SubscribeDocument, { input: { planCode: 'pro_no_trial', paymentMethodId: 'pm_card_visa' } });

    const scheduled = await owner.request(CancelSubscriptionDocument, { input: { atPeriodEnd: true, reason: 'too expensive' } });
    expect(scheduled.cancelSubscription).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true, canceledAt: '2026-03-10T12:00:00.000Z', currentPeriodEnd: '2026-04-10T12:00:00.000Z' });
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.upcomingInvoice).toBeNull();

    const resumed = await owner.request(ResumeSubscriptionDocument);
    expect(resumed.resumeSubscription).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false });

    const ended = await owner.request(CancelSubscriptionDocument, { input: { atPeriodEnd: false } });
    expect(ended.cancelSubscription).toMatchObject({ status: 'CANCELED', cancelAtPeriodEnd: false });
    await expectGraphQLError(owner.request(ResumeSubscriptionDocument), 'NOT_FOUND');

    const { billingAccount } = await owner.request(BillingHistoryDocument, { first: 20 });
    expect(billingAccount.history.edges.map((e) => e.node.type)).toEqual([
      'subscription.canceled',
      'subscription.resumed',
      'subscription.cancel_scheduled',
      'subscription.activated',
      'invoice.paid',
      'payment.succeeded',
      'invoice.finalized',
      'subscription.created',
      'payment_method.attached',
    ]);
    expect(billingAccount.history.edges.every((e) => e.node.actor === 'owner_biz_cancel' || e.node.actor === 'system' || e.node.actor === 'stripe')).toBe(true);
  });
});

describe('the sandbox clock', () => {
  it('moves forward for operators only, and never back', async () => {
    const operator = await app.operator();
    await expectGraphQLError(operator.request(AdvanceClockDocument, { to: '2026-01-01T00:00:00Z' }), 'BAD_USER_INPUT');
    await expectGraphQLError((await app.ownerOf('biz_clock')).request(AdvanceClockDocument, { to: '2026-05-01T00:00:00Z' }), 'FORBIDDEN');
    const { advanceClock } = await operator.request(AdvanceClockDocument, { to: '2026-05-01T00:00:00.000Z' });
    expect(advanceClock.now).toBe('2026-05-01T00:00:00.000Z');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvanceClockDocument,
  AttachPaymentMethodDocument,
  BillingHistoryDocument,
  CancelSubscriptionDocument,
  ChangePlanDocument,
  CreatePlanDocument,
  CurrentSubscriptionDocument,
  InvoiceListDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { frozenAt } from '../support/frozen-clock.js';

/** A story told by moving the sandbox clock: subscriptions renew, trials end, cancellations land. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt('2026-01-31T10:00:00.000Z') });
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, { input: { code: 'monthly', name: 'Monthly', interval: 'MONTH', amount: 2000, currency: 'usd' } });
  await operator.request(CreatePlanDocument, { input: { code: 'lite', name: 'Lite', interval: 'MONTH', amount: 900, currency: 'usd' } });
  await operator.request(CreatePlanDocument, { input: { code: 'trial_plan', name: 'Trial', interval: 'MONTH', amount: 1500, currency: 'usd', trialDays: 7 } });
});
afterAll(() => app?.close());

const advance = async (to: string) => (await app.operator()).request(AdvanceClockDocument, { to });
const invoiceStatuses = async (owner: Awaited<ReturnType<TestApp['ownerOf']>>) =>
  (await owner.request(InvoiceListDocument, {})).billingAccount.invoices.edges.map((e) => [e.node.status, e.node.total.amount]);

describe('renewals, trial ends and scheduled changes', () => {
  it('moves four subscriptions through February and March', async () => {
    const renewing = await app.ownerOf('biz_renewing'); // anchored Jan 31
    await renewing.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_visa' } });
    const trial = await app.ownerOf('biz_trialing');
    await trial.request(SubscribeDocument, { input: { planCode: 'trial_plan', paymentMethodId: 'pm_card_visa' } });
    const leaving = await app.ownerOf('biz_leaving');
    await leaving.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_visa' } });
    await leaving.request(CancelSubscriptionDocument, { input: { atPeriodEnd: true, reason: 'moving on' } });
    const downgrading = await app.ownerOf('biz_downgrading');
    await downgrading.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_visa' } });
    await downgrading.request(ChangePlanDocument, { input: { planCode: 'lite' } });

    await advance('2026-02-07T10:00:00.000Z'); // the trial ends: first invoice, charged off session
    expect((await trial.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      status: 'ACTIVE',
      currentPeriodStart: '2026-02-07T10:00:00.000Z',
      currentPeriodEnd: '2026-03-07T10:00:00.000Z',
      latestInvoice: { status: 'PAID', total: { amount: 1500 } },
    });

    await advance('2026-03-01T00:00:00.000Z'); // past Feb 28 10:00: the Jan 31 subscriptions close their first period
    expect((await renewing.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      status: 'ACTIVE',
      currentPeriodStart: '2026-02-28T10:00:00.000Z', // Jan 31 -> Feb 28 (shortest month)
      currentPeriodEnd: '2026-03-31T10:00:00.000Z', //  -> Mar 31: the anchor day is kept
    });
    expect(await invoiceStatuses(renewing)).toEqual([['PAID', 2000], ['PAID', 2000]]);

    expect((await leaving.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({ status: 'CANCELED', cancelAtPeriodEnd: false });
    expect(await invoiceStatuses(leaving)).toEqual([['PAID', 2000]]);

    expect((await downgrading.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      plan: { code: 'lite' },
      pendingChange: null,
      currentPeriodEnd: '2026-03-31T10:00:00.000Z',
    });
    expect(await invoiceStatuses(downgrading)).toEqual([['PAID', 900], ['PAID', 2000]]);

    const history = (await renewing.request(BillingHistoryDocument, { first: 5 })).billingAccount.history.edges.map((e) => [e.node.type, e.node.actor]);
    expect(history.slice(0, 4)).toEqual([
      ['invoice.paid', 'system'],
      ['payment.succeeded', 'system'],
      ['invoice.finalized', 'system'],
      ['subscription.renewed', 'system'],
    ]);
  });

  it('renews every period the clock passed, once each', async () => {
    const owner = await app.ownerOf('biz_long_jump');
    await owner.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_visa' } }); // Mar 1 00:00
    await advance('2026-06-15T00:00:00.000Z'); // Apr 1, May 1, Jun 1 renewals
    expect(await invoiceStatuses(owner)).toEqual([['PAID', 2000], ['PAID', 2000], ['PAID', 2000], ['PAID', 2000]]);
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      currentPeriodStart: '2026-06-01T00:00:00.000Z',
      currentPeriodEnd: '2026-07-01T00:00:00.000Z',
    });
    await advance('2026-06-16T00:00:00.000Z');
    expect(await invoiceStatuses(owner)).toHaveLength(4);
  });

  it('puts a subscription PAST_DUE when the renewal charge is declined', async () => {
    const owner = await app.ownerOf('biz_declines_later');
    await owner.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_visa' } }); // Jun 16
    await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_chargeCustomerFail', makeDefault: true });
    await advance('2026-07-17T00:00:00.000Z');
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      status: 'PAST_DUE',
      latestInvoice: { status: 'OPEN', amountPaid: { amount: 0 } },
    });
  });

  it('ends a subscription whose 3-D Secure first payment was never completed after 23 hours', async () => {
    const owner = await app.ownerOf('biz_never_authenticated');
    await expectGraphQLError(
      owner.request(SubscribeDocument, { input: { planCode: 'monthly', paymentMethodId: 'pm_card_authenticationRequired' } }),
      'PAYMENT_ACTION_REQUIRED',
    );
    await advance('2026-07-17T22:00:00.000Z');
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.subscription!.status).toBe('INCOMPLETE');
    await advance('2026-07-18T00:00:01.000Z');
    expect((await owner.request(CurrentSubscriptionDocument)).billingAccount.subscription).toMatchObject({
      status: 'CANCELED',
      latestInvoice: { status: 'VOID' },
    });
  });
});

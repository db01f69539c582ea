import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvanceClockDocument,
  AttachPaymentMethodDocument,
  ChangePlanDocument,
  CreatePlanDocument,
  CurrentSubscriptionDocument,
  InvoiceListDocument,
  PreviewPlanChangeDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { frozenAt } from '../support/frozen-clock.js';

/**
 * Proration by the second, each line rounded once, half to even. January 2026 has 31 days:
 * a monthly period from Jan 1 00:00 to Feb 1 00:00 is 2,678,400 s.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock: frozenAt('2026-01-01T00:00:00.000Z') });
  const operator = await app.operator();
  const plan = (code: string, amount: number, interval: 'MONTH' | 'YEAR' = 'MONTH') =>
    operator.request(CreatePlanDocument, { input: { code, name: code, interval, amount, currency: 'usd' } });
  await plan('basic', 3000);
  await plan('premium', 9000);
  await plan('enterprise', 300000);
  await plan('premium_yearly', 90000, 'YEAR');
});
afterAll(() => app?.close());

const at = async (iso: string) => (await app.operator()).request(AdvanceClockDocument, { to: iso });

async function subscribed(businessId: string, planCode: string) {
  const owner = await app.ownerOf(businessId);
  await owner.request(SubscribeDocument, { input: { planCode, paymentMethodId: 'pm_card_visa' } });
  return owner;
}

const linesOf = (change: { latestInvoice?: { lines: { kind: string; amount: { amount: number } }[] } | null }) =>
  change.latestInvoice!.lines.map((l) => [l.kind, l.amount.amount]);

describe('plan changes, worked by hand', () => {
  it('upgrades mid-month: credit for the unused old price, charge for the remaining new price', async () => {
    const owner = await subscribed('biz_mid_month', 'basic'); // period Jan 1 -> Feb 1
    const later = await subscribed('biz_last_day', 'basic');
    const yearly = await subscribed('biz_month_to_year', 'basic');
    const downgrade = await subscribed('biz_downgrade_now', 'premium');

    await at('2026-01-11T00:00:00.000Z'); // 10 days used, 21 days = 1,814,400 s left
    const preview = await owner.request(PreviewPlanChangeDocument, { planCode: 'premium' });
    const { changePlan } = await owner.request(ChangePlanDocument, { input: { planCode: 'premium' } });
    const expected = [
      ['PRORATION', -2032], // 3000 * 1814400 / 2678400 = 2032.26 -> 2032
      ['PRORATION', 6097], //  9000 * 1814400 / 2678400 = 6096.77 -> 6097
    ];
    expect(linesOf(changePlan)).toEqual(expected);
    expect(changePlan).toMatchObject({ status: 'ACTIVE', plan: { code: 'premium' }, latestInvoice: { status: 'PAID', total: { amount: 4065 } } }); // 6097 - 2032
    expect(preview.previewPlanChange.lines.map((l) => [l.kind, l.amount.amount])).toEqual(expected);
    expect(preview.previewPlanChange.amountDueNow).toEqual({ amount: 4065, currency: 'usd' });

    await at('2026-01-21T00:00:00.000Z'); // 20 days used, 11 days = 950,400 s left
    const down = await downgrade.request(ChangePlanDocument, { input: { planCode: 'basic', timing: 'IMMEDIATELY' } });
    expect(linesOf(down.changePlan)).toEqual([
      ['PRORATION', -3194], // 9000 * 950400 / 2678400 = 3193.55 -> 3194
      ['PRORATION', 1065], //  3000 * 950400 / 2678400 = 1064.52 -> 1065
      ['CREDIT', 2129], //     total 1065 - 3194 = -2129 goes to the credit balance
    ]);
    expect(down.changePlan.latestInvoice).toMatchObject({ status: 'PAID', total: { amount: -2129 } });
    const { billingAccount } = await downgrade.request(CurrentSubscriptionDocument);
    expect(billingAccount.creditBalance).toEqual({ amount: 2129, currency: 'usd' });
    // The next renewal spends it: Basic 3000 - 2129 credit = 871 due.
    expect(billingAccount.upcomingInvoice!.lines.map((l) => [l.kind, l.amount.amount])).toEqual([
      ['SUBSCRIPTION', 3000],
      ['CREDIT', -2129],
    ]);

    await at('2026-01-25T00:00:00.000Z'); // 7 days = 604,800 s left of Basic
    const toYear = await yearly.request(ChangePlanDocument, { input: { planCode: 'premium_yearly' } });
    expect(linesOf(toYear.changePlan)).toEqual([
      ['PRORATION', -677], //     3000 * 604800 / 2678400 = 677.42 -> 677
      ['SUBSCRIPTION', 90000], // a yearly period starts now: Jan 25 2026 -> Jan 25 2027
    ]);
    const { billingAccount: afterYear } = await yearly.request(CurrentSubscriptionDocument);
    expect(afterYear.subscription).toMatchObject({
      plan: { code: 'premium_yearly' },
      currentPeriodStart: '2026-01-25T00:00:00.000Z',
      currentPeriodEnd: '2027-01-25T00:00:00.000Z',
    });

    await at('2026-01-31T23:00:00.000Z'); // the last hour: 3,600 s left
    const lastDay = await later.request(ChangePlanDocument, { input: { planCode: 'enterprise' } });
    expect(linesOf(lastDay.changePlan)).toEqual([
      ['PRORATION', -4], //  3000 * 3600 / 2678400 = 4.03 -> 4
      ['PRORATION', 403], // 300000 * 3600 / 2678400 = 403.23 -> 403
    ]);
  });

  it('keeps the anchor day: a subscription started on Jan 31 renews Feb 28, then Mar 31, and prorates within its short period', async () => {
    // The clock stands at Jan 31 23:00 after the test above.
    const owner = await subscribed('biz_31st', 'basic');
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.subscription).toMatchObject({
      currentPeriodStart: '2026-01-31T23:00:00.000Z',
      currentPeriodEnd: '2026-02-28T23:00:00.000Z',
    });
    expect(billingAccount.upcomingInvoice).toMatchObject({
      periodStart: '2026-02-28T23:00:00.000Z',
      periodEnd: '2026-03-31T23:00:00.000Z',
    });

    // Upgraded halfway through that 28-day period (2,419,200 s): 1,209,600 s left.
    await at('2026-02-14T23:00:00.000Z');
    const { changePlan } = await owner.request(ChangePlanDocument, { input: { planCode: 'premium' } });
    expect(linesOf(changePlan)).toEqual([
      ['PRORATION', -1500], // 3000 * 1209600 / 2419200 = 1500 exactly
      ['PRORATION', 4500], //  9000 * 1209600 / 2419200 = 4500 exactly
    ]);
  });

  it('schedules a downgrade for the period end by default, charging nothing now', async () => {
    const owner = await subscribed('biz_scheduled_down', 'premium');
    const { changePlan } = await owner.request(ChangePlanDocument, { input: { planCode: 'basic' } });
    expect(changePlan).toMatchObject({
      plan: { code: 'premium' },
      pendingChange: { plan: { code: 'basic' }, effectiveAt: '2026-03-14T23:00:00.000Z' }, // subscribed Feb 14 23:00
    });
    const { billingAccount } = await owner.request(InvoiceListDocument, {});
    expect(billingAccount.invoices.edges).toHaveLength(1);
    await expectGraphQLError(owner.request(ChangePlanDocument, { input: { planCode: 'premium' } }), 'BAD_USER_INPUT');
  });

  it('leaves the old plan in place when the upgrade payment fails', async () => {
    const owner = await app.ownerOf('biz_failed_upgrade');
    await owner.request(SubscribeDocument, { input: { planCode: 'basic', paymentMethodId: 'pm_card_visa' } });
    // The new default card declines every charge.
    const { attachPaymentMethod } = await owner.request(AttachPaymentMethodDocument, {
      paymentMethodId: 'pm_card_chargeCustomerFail',
      makeDefault: true,
    });
    expect(attachPaymentMethod.isDefault).toBe(true);
    await expectGraphQLError(owner.request(ChangePlanDocument, { input: { planCode: 'enterprise' } }), 'PAYMENT_FAILED');
    const { billingAccount } = await owner.request(CurrentSubscriptionDocument);
    expect(billingAccount.subscription).toMatchObject({ status: 'ACTIVE', plan: { code: 'basic' } });
    const invoices = (await owner.request(InvoiceListDocument, {})).billingAccount.invoices.edges.map((e) => e.node.status);
    expect(invoices).toEqual(['VOID', 'PAID']);
  });
});

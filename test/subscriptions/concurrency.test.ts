import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from 'graphql-request';
import { ChangePlanDocument, CreatePlanDocument, InvoiceListDocument, PayInvoiceDocument, SubscribeDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, { input: { code: 'solo', name: 'Solo', interval: 'MONTH', amount: 1000, currency: 'usd' } });
  await operator.request(CreatePlanDocument, { input: { code: 'duo', name: 'Duo', interval: 'MONTH', amount: 3000, currency: 'usd' } });
});
afterAll(() => app?.close());

const codeOf = (error: unknown) => (error instanceof ClientError ? error.response.errors?.[0]?.extensions?.code : String(error));
const chargesOf = (businessId: string) => {
  const customer = app.stripe.sandbox!.customers.list().find((c) => c.metadata.business_id === businessId)!;
  return app.stripe.sandbox!.charges.count({ customer: customer.id });
};

describe('concurrent requests on one subscription', () => {
  it('lets one of ten simultaneous subscribes win; the others get CONFLICT; one charge', async () => {
    const owner = await app.ownerOf('biz_race');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => owner.request(SubscribeDocument, { input: { planCode: 'solo', paymentMethodId: 'pm_card_visa' } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toEqual(Array(9).fill('CONFLICT'));
    expect(chargesOf('biz_race')).toBe(1);
  });

  it('applies five simultaneous upgrades once: one proration invoice, one charge', async () => {
    const owner = await app.ownerOf('biz_race');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => owner.request(ChangePlanDocument, { input: { planCode: 'duo' } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // The losers waited for the winner's lock and then found the subscription already on Duo.
    expect(results.filter((r) => r.status === 'rejected').map((r) => codeOf((r as PromiseRejectedResult).reason))).toEqual(Array(4).fill('BAD_USER_INPUT'));
    const invoices = (await owner.request(InvoiceListDocument, {})).billingAccount.invoices.edges;
    expect(invoices).toHaveLength(2);
    expect(chargesOf('biz_race')).toBe(2);

    // Paying the paid invoices again, all at once, charges nothing.
    await Promise.all(invoices.map((e) => owner.request(PayInvoiceDocument, { id: e.node.id })));
    expect(chargesOf('biz_race')).toBe(2);
  });
});

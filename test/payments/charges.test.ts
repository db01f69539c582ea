import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttachPaymentMethodDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  // A short SDK timeout, so that a hanging Stripe is retried within the test.
  app = await startTestApp({}, { stripeTimeoutMs: 1_000 });
});
afterEach(() => app.stripe.sandbox!.faults.clear());
afterAll(() => app?.close());

async function customerWithCard(businessId: string, token: string) {
  const owner = await app.ownerOf(businessId);
  const { attachPaymentMethod } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: token });
  return { customerId: (await app.services.customers.ensureCustomer(businessId)), paymentMethodId: attachPaymentMethod.id };
}

const charge = (card: { customerId: string; paymentMethodId: string }, idempotencyKey: string) =>
  app.services.gateway.charge({ ...card, offSession: true, amount: 2900, currency: 'usd', idempotencyKey });

describe('charging a saved card off session', () => {
  it('charges once when Stripe answers 500 and the SDK retries with the same idempotency key', async () => {
    const card = await customerWithCard('biz_charge_500', 'pm_card_visa');
    app.stripe.sandbox!.faults.failNext({ method: 'POST', path: /^\/v1\/payment_intents$/, times: 1, kind: { status: 500 } });
    const outcome = await charge(card, 'invoice:inv_500:attempt:1');
    expect(outcome.status).toBe('succeeded');
    expect(app.stripe.sandbox!.charges.count({ customer: card.customerId, status: 'succeeded' })).toBe(1);
  });

  it('charges once when Stripe times out after charging, and our own retry of the attempt answers the same intent', async () => {
    const card = await customerWithCard('biz_charge_timeout', 'pm_card_visa');
    app.stripe.sandbox!.faults.failNext({ method: 'POST', path: /^\/v1\/payment_intents$/, times: 1, kind: { hangMs: 2_500 } });
    const first = await charge(card, 'invoice:inv_timeout:attempt:1');
    const again = await charge(card, 'invoice:inv_timeout:attempt:1');
    expect(first.status).toBe('succeeded');
    expect(again).toEqual(first);
    expect(app.stripe.sandbox!.charges.count({ customer: card.customerId })).toBe(1);
    expect(app.stripe.sandbox!.paymentIntents.count({ customer: card.customerId })).toBe(1);
  });

  it('reports declines with their code, and 3-D Secure with the client secret', async () => {
    const failing = await customerWithCard('biz_charge_fail', 'pm_card_chargeCustomerFail');
    expect(await charge(failing, 'invoice:inv_fail:attempt:1')).toMatchObject({ status: 'failed', declineCode: 'generic_decline' });

    const secure = await customerWithCard('biz_charge_3ds', 'pm_card_authenticationRequired');
    const outcome = await charge(secure, 'invoice:inv_3ds:attempt:1');
    expect(outcome.status).toBe('requires_action');
    expect(outcome.status === 'requires_action' && outcome.clientSecret).toMatch(/_secret_/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachPaymentMethodDocument,
  CreateSetupIntentDocument,
  DetachPaymentMethodDocument,
  PaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
  UpdateBillingDetailsDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { eventually } from '../support/eventually.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const sandbox = () => app.stripe.sandbox!;

describe('payment methods', () => {
  it('attaches cards (the first becomes the default), switches the default, detaches, and keeps Stripe in step', async () => {
    const owner = await app.ownerOf('biz_cards');
    const visa = (await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' })).attachPaymentMethod;
    expect(visa).toMatchObject({ brand: 'visa', last4: '4242', isDefault: true });
    expect(visa.id).toMatch(/^pm_/);
    expect(visa.id).not.toBe('pm_card_visa');

    const mastercard = (await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_mastercard' }))
      .attachPaymentMethod;
    expect(mastercard).toMatchObject({ brand: 'mastercard', last4: '4444', isDefault: false });

    const switched = await owner.request(SetDefaultPaymentMethodDocument, { id: mastercard.id });
    expect(switched.setDefaultPaymentMethod).toEqual({ id: mastercard.id, isDefault: true });
    let { billingAccount } = await owner.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods.map((m) => [m.last4, m.isDefault])).toEqual([
      ['4444', true],
      ['4242', false],
    ]);
    const [card] = billingAccount.paymentMethods;
    expect(card!.expMonth).toBeGreaterThanOrEqual(1);
    expect(card!.expYear).toBeGreaterThan(new Date().getUTCFullYear());

    const customer = sandbox().customers.list().find((c) => c.metadata.business_id === 'biz_cards')!;
    expect(customer.invoice_settings.default_payment_method).toBe(mastercard.id);

    expect((await owner.request(DetachPaymentMethodDocument, { id: visa.id })).detachPaymentMethod).toBe(true);
    ({ billingAccount } = await owner.request(PaymentMethodsDocument, {}));
    expect(billingAccount.paymentMethods.map((m) => m.id)).toEqual([mastercard.id]);
    expect(sandbox().paymentMethods.get(visa.id)!.customer).toBeNull();
  });

  it('makes a newly attached card the default when asked', async () => {
    const owner = await app.ownerOf('biz_make_default');
    await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' });
    const second = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_mastercard', makeDefault: true });
    expect(second.attachPaymentMethod.isDefault).toBe(true);
    const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods.filter((m) => m.isDefault).map((m) => m.last4)).toEqual(['4444']);
  });

  it.each([
    ['pm_card_visa', 'visa', '4242'],
    ['pm_card_mastercard', 'mastercard', '4444'],
    ['pm_card_authenticationRequired', 'visa', '3184'],
    ['pm_card_chargeCustomerFail', 'visa', '0341'],
  ])('saves the test card %s', async (token, brand, last4) => {
    const owner = await app.ownerOf(`biz_${token}`);
    const { attachPaymentMethod } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: token });
    expect(attachPaymentMethod).toMatchObject({ brand, last4, isDefault: true });
  });

  it('saves a card collected with a setup intent through the webhook alone', async () => {
    const owner = await app.ownerOf('biz_setup_intent');
    const { createSetupIntent } = await owner.request(CreateSetupIntentDocument);
    expect(createSetupIntent.setupIntentId).toMatch(/^seti_/);
    expect(createSetupIntent.clientSecret).toContain(`${createSetupIntent.setupIntentId}_secret_`);

    // What Stripe.js does in the browser with the client secret.
    await app.stripe.stripe.setupIntents.confirm(createSetupIntent.setupIntentId, { payment_method: 'pm_card_visa' });

    const methods = await eventually(async () => {
      const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
      expect(billingAccount.paymentMethods).toHaveLength(1);
      return billingAccount.paymentMethods;
    });
    expect(methods[0]).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('creates one Stripe customer per business, even when its first requests arrive at once', async () => {
    const owner = await app.ownerOf('biz_concurrent');
    const before = sandbox().customers.count();
    await Promise.all(Array.from({ length: 10 }, () => owner.request(CreateSetupIntentDocument)));
    const created = sandbox().customers.list().filter((c) => c.metadata.business_id === 'biz_concurrent');
    expect(created).toHaveLength(1);
    expect(sandbox().customers.count()).toBe(before + 1);
    expect(sandbox().setupIntents.list({ customer: created[0]!.id })).toHaveLength(10);
  });
});

describe('billing details', () => {
  it('keeps the Stripe customer\'s name and email in step with the business', async () => {
    const owner = await app.ownerOf('biz_details');
    await owner.request(CreateSetupIntentDocument);
    const { updateBillingDetails } = await owner.request(UpdateBillingDetailsDocument, { name: 'Acme Calls Ltd', email: 'billing@acme.test' });
    expect(updateBillingDetails).toEqual({ id: 'biz_details', name: 'Acme Calls Ltd', email: 'billing@acme.test' });
    const customer = sandbox().customers.list().find((c) => c.metadata.business_id === 'biz_details')!;
    expect([customer.name, customer.email]).toEqual(['Acme Calls Ltd', 'billing@acme.test']);
    await expectGraphQLError(owner.request(UpdateBillingDetailsDocument, { name: 'X', email: 'not-an-email' }), 'BAD_USER_INPUT');
    await expectGraphQLError((await app.memberOf('biz_details')).request(UpdateBillingDetailsDocument, { name: 'Y' }), 'FORBIDDEN');
  });
});

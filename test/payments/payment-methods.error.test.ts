import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachPaymentMethodDocument,
  DetachPaymentMethodDocument,
  PaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
  SubscribeDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('payment methods: refusals', () => {
  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card'],
  ])('refuses to save %s with PAYMENT_FAILED and its decline code, storing nothing', async (token, declineCode) => {
    const owner = await app.ownerOf(`biz_${token}`);
    const error = await expectGraphQLError(owner.request(AttachPaymentMethodDocument, { paymentMethodId: token }), 'PAYMENT_FAILED');
    expect(error.extensions.declineCode).toBe(declineCode);
    const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods).toEqual([]);
  });

  it('answers NOT_FOUND for an unknown payment method id', async () => {
    const owner = await app.ownerOf('biz_unknown_pm');
    await expectGraphQLError(owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_does_not_exist' }), 'NOT_FOUND');
    await expectGraphQLError(owner.request(SetDefaultPaymentMethodDocument, { id: 'pm_does_not_exist' }), 'NOT_FOUND');
    await expectGraphQLError(owner.request(DetachPaymentMethodDocument, { id: 'pm_does_not_exist' }), 'NOT_FOUND');
  });

  it('refuses to detach the card that pays a live paid subscription until another card is the default', async () => {
    const owner = await app.ownerOf('biz_paying_card');
    const { subscribe } = await owner.request(SubscribeDocument, { input: { planCode: 'growth_monthly', paymentMethodId: 'pm_card_visa' } });
    expect(subscribe.status).toBe('TRIALING');
    const [visa] = (await owner.request(PaymentMethodsDocument, {})).billingAccount.paymentMethods;
    await expectGraphQLError(owner.request(DetachPaymentMethodDocument, { id: visa!.id }), 'CONFLICT');

    const { attachPaymentMethod: mastercard } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_mastercard', makeDefault: true });
    expect((await owner.request(DetachPaymentMethodDocument, { id: visa!.id })).detachPaymentMethod).toBe(true);
    const { billingAccount } = await owner.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([[mastercard.id, true]]);
  });

  it('answers NOT_FOUND for a card detached before', async () => {
    const owner = await app.ownerOf('biz_detached_twice');
    const { attachPaymentMethod } = await owner.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' });
    await owner.request(DetachPaymentMethodDocument, { id: attachPaymentMethod.id });
    await expectGraphQLError(owner.request(DetachPaymentMethodDocument, { id: attachPaymentMethod.id }), 'NOT_FOUND');
    await expectGraphQLError(owner.request(SetDefaultPaymentMethodDocument, { id: attachPaymentMethod.id }), 'NOT_FOUND');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachPaymentMethodDocument,
  CreateSetupIntentDocument,
  DetachPaymentMethodDocument,
  PaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
let victimCardId: string;
beforeAll(async () => {
  app = await startTestApp();
  const victim = await app.ownerOf('biz_victim');
  victimCardId = (await victim.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' })).attachPaymentMethod.id;
});
afterAll(() => app?.close());

describe('payment methods: tenant isolation and roles', () => {
  it('answers NOT_FOUND when another business names the victim\'s card, and leaves it untouched', async () => {
    const attacker = await app.ownerOf('biz_attacker');
    await expectGraphQLError(attacker.request(SetDefaultPaymentMethodDocument, { id: victimCardId }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(DetachPaymentMethodDocument, { id: victimCardId }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(AttachPaymentMethodDocument, { paymentMethodId: victimCardId }), 'NOT_FOUND');
    await expectGraphQLError(attacker.request(PaymentMethodsDocument, { businessId: 'biz_victim' }), 'NOT_FOUND');

    const { billingAccount } = await (await app.ownerOf('biz_victim')).request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods).toEqual([expect.objectContaining({ id: victimCardId, isDefault: true })]);
    expect(app.stripe.sandbox!.paymentMethods.get(victimCardId)!.customer).not.toBeNull();
  });

  it('lets a member read the cards but change nothing', async () => {
    const member = await app.memberOf('biz_victim');
    const { billingAccount } = await member.request(PaymentMethodsDocument, {});
    expect(billingAccount.paymentMethods.map((m) => m.id)).toEqual([victimCardId]);
    await expectGraphQLError(member.request(CreateSetupIntentDocument), 'FORBIDDEN');
    await expectGraphQLError(member.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_visa' }), 'FORBIDDEN');
    await expectGraphQLError(member.request(SetDefaultPaymentMethodDocument, { id: victimCardId }), 'FORBIDDEN');
    await expectGraphQLError(member.request(DetachPaymentMethodDocument, { id: victimCardId }), 'FORBIDDEN');
  });

  it('lets an admin manage cards, an operator read any business\'s, and the usage service nothing', async () => {
    const admin = app.client(await app.token({ businessId: 'biz_victim', role: 'admin' }));
    await admin.request(AttachPaymentMethodDocument, { paymentMethodId: 'pm_card_mastercard' });
    const operator = await app.operator();
    const { billingAccount } = await operator.request(PaymentMethodsDocument, { businessId: 'biz_victim' });
    expect(billingAccount.paymentMethods).toHaveLength(2);
    await expectGraphQLError(operator.request(CreateSetupIntentDocument), 'FORBIDDEN');
    const service = app.client(await app.token({ sub: 'call-tracker', scopes: ['usage:write'] }));
    await expectGraphQLError(service.request(PaymentMethodsDocument, { businessId: 'biz_victim' }), 'FORBIDDEN');
  });
});

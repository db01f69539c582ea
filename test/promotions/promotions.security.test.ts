import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePromoCodeDocument, DeactivatePromoCodeDocument, ValidatePromoCodeDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { redeemFor } from './promotions.support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await (await app.operator()).request(CreatePromoCodeDocument, { input: { code: 'guarded', percentOff: 10, duration: 'ONCE' } });
});
afterAll(() => app?.close());

const input = { code: 'sneaky', percentOff: 100, duration: 'FOREVER' as const };

describe('promo codes: who may do what', () => {
  it.each(['member', 'admin', 'owner'] as const)('refuses createPromoCode and deactivatePromoCode from a %s with FORBIDDEN', async (role) => {
    const client = app.client(await app.token({ businessId: 'biz_sec', role }));
    await expectGraphQLError(client.request(CreatePromoCodeDocument, { input }), 'FORBIDDEN');
    await expectGraphQLError(client.request(DeactivatePromoCodeDocument, { code: 'guarded' }), 'FORBIDDEN');
    expect(await app.services.promotions.findByCode('sneaky')).toBeUndefined();
    expect((await app.services.promotions.findByCode('guarded'))!.active).toBe(true);
    // ... while validating for its own business is allowed.
    expect((await client.request(ValidatePromoCodeDocument, { code: 'guarded' })).validatePromoCode.valid).toBe(true);
  });

  it('refuses the call-tracking service (usage:write) everything here, validation included', async () => {
    const service = app.client(await app.token({ sub: 'call-tracker', scopes: ['usage:write'] }));
    await expectGraphQLError(service.request(ValidatePromoCodeDocument, { code: 'guarded' }), 'FORBIDDEN');
    await expectGraphQLError(service.request(CreatePromoCodeDocument, { input }), 'FORBIDDEN');
    await expectGraphQLError(service.request(DeactivatePromoCodeDocument, { code: 'guarded' }), 'FORBIDDEN');
  });

  it('refuses every operation without a token with UNAUTHENTICATED', async () => {
    const anonymous = app.client();
    await expectGraphQLError(anonymous.request(ValidatePromoCodeDocument, { code: 'guarded' }), 'UNAUTHENTICATED');
    await expectGraphQLError(anonymous.request(CreatePromoCodeDocument, { input }), 'UNAUTHENTICATED');
    await expectGraphQLError(anonymous.request(DeactivatePromoCodeDocument, { code: 'guarded' }), 'UNAUTHENTICATED');
    expect((await app.services.promotions.findByCode('guarded'))!.active).toBe(true);
  });

  it('answers validation about the caller\'s own business only', async () => {
    await (await app.operator()).request(CreatePromoCodeDocument, { input: { code: 'per-business', percentOff: 5, duration: 'ONCE' } });
    await redeemFor(app, 'biz_sec_a', 'per-business');
    const a = await app.ownerOf('biz_sec_a');
    const b = await app.ownerOf('biz_sec_b');
    expect((await a.request(ValidatePromoCodeDocument, { code: 'per-business' })).validatePromoCode.reason).toBe('ALREADY_REDEEMED');
    expect((await b.request(ValidatePromoCodeDocument, { code: 'per-business' })).validatePromoCode.valid).toBe(true);
  });
});

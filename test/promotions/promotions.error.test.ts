import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusiness } from '../../src/businesses/businesses.repo.js';
import { createLogger } from '../../src/log/logger.js';
import { PromotionService } from '../../src/promotions/promotions.service.js';
import {
  CreatePromoCodeDocument,
  DeactivatePromoCodeDocument,
  ValidatePromoCodeDocument,
  type CreatePromoCodeInput,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';
import { invalidReason, manualClock, redeemFor } from './promotions.support.js';

const clock = manualClock();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { clock });
});
afterAll(() => app?.close());

const valid: CreatePromoCodeInput = { code: 'valid', percentOff: 10, duration: 'ONCE' };
const inOneHour = () => new Date(clock.now().getTime() + 3_600_000).toISOString();

async function createCode(input: Partial<CreatePromoCodeInput> & { code: string }) {
  const operator = await app.operator();
  return (await operator.request(CreatePromoCodeDocument, { input: { ...valid, ...input } })).createPromoCode;
}

async function validateAs(businessId: string, code: string, planCode?: string) {
  const owner = await app.ownerOf(businessId);
  return (await owner.request(ValidatePromoCodeDocument, { code, planCode })).validatePromoCode;
}

describe('createPromoCode: bad input and conflicts', () => {
  it.each([
    ['a code with spaces', { code: 'summer sale' }, 'code'],
    ['a one-character code', { code: 'x' }, 'code'],
    ['a code with punctuation', { code: 'half!' }, 'code'],
    ['neither percentOff nor amountOff', { percentOff: null }, 'percentOff'],
    ['both percentOff and amountOff', { amountOff: 500, currency: 'usd' }, 'amountOff'],
    ['percentOff with a currency', { currency: 'usd' }, 'currency'],
    ['percentOff 0', { percentOff: 0 }, 'percentOff'],
    ['percentOff above 100', { percentOff: 101 }, 'percentOff'],
    ['amountOff without a currency', { percentOff: null, amountOff: 500 }, 'currency'],
    ['a currency without amountOff', { percentOff: null, currency: 'usd' }, 'amountOff'],
    ['an unknown currency', { percentOff: null, amountOff: 500, currency: 'usx' }, 'currency'],
    ['amountOff 0', { percentOff: null, amountOff: 0, currency: 'usd' }, 'amountOff'],
    ['a negative amountOff', { percentOff: null, amountOff: -100, currency: 'usd' }, 'amountOff'],
    ['REPEATING without durationInMonths', { duration: 'REPEATING' as const }, 'durationInMonths'],
    ['REPEATING for 0 months', { duration: 'REPEATING' as const, durationInMonths: 0 }, 'durationInMonths'],
    ['durationInMonths on a ONCE code', { duration: 'ONCE' as const, durationInMonths: 3 }, 'durationInMonths'],
    ['durationInMonths on a FOREVER code', { duration: 'FOREVER' as const, durationInMonths: 3 }, 'durationInMonths'],
    ['maxRedemptions 0', { maxRedemptions: 0 }, 'maxRedemptions'],
    ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['an unknown plan', { planCodes: ['no_such_plan'] }, 'planCodes'],
    ['a plan code that is no code', { planCodes: ['starter monthly'] }, 'planCodes'],
    [
      'a fixed amount for a plan priced in another currency',
      { percentOff: null, amountOff: 500, currency: 'eur', planCodes: ['starter_monthly'] },
      'planCodes',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field, and stores nothing', async (_what, change, field) => {
    const code = `bad-${field.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
    const error = await expectGraphQLError(
      (await app.operator()).request(CreatePromoCodeDocument, { input: { ...valid, code, ...change } }),
      'BAD_USER_INPUT',
    );
    expect(error.extensions.field).toBe(field);
    expect(await app.services.promotions.findByCode('code' in change ? change.code : code)).toBeUndefined();
  });

  it('refuses a fractional percent at the GraphQL layer as BAD_USER_INPUT', async () => {
    await expectGraphQLError(
      (await app.operator()).request(CreatePromoCodeDocument, { input: { ...valid, code: 'floaty', percentOff: 12.5 } }),
      'BAD_USER_INPUT',
    );
  });

  it('answers CONFLICT for a code already taken, whatever its case', async () => {
    await createCode({ code: 'taken' });
    await expectGraphQLError((await app.operator()).request(CreatePromoCodeDocument, { input: { ...valid, code: 'TAKEN' } }), 'CONFLICT');
  });

  it('answers NOT_FOUND when deactivating a code that does not exist', async () => {
    await expectGraphQLError((await app.operator()).request(DeactivatePromoCodeDocument, { code: 'nope' }), 'NOT_FOUND');
  });

  it('answers NOT_FOUND when validating for a plan that does not exist', async () => {
    await createCode({ code: 'for-any-plan' });
    await expectGraphQLError(
      (await app.ownerOf('biz_err_plan')).request(ValidatePromoCodeDocument, { code: 'for-any-plan', planCode: 'no_such_plan' }),
      'NOT_FOUND',
    );
  });
});

describe('validatePromoCode: each reason', () => {
  const invalid = (reason: string) => ({ valid: false, reason, percentOff: null, amountOff: null, duration: null, durationInMonths: null });

  it('NOT_FOUND for a code that was never created', async () => {
    expect(await validateAs('biz_r1', 'never-made')).toEqual(invalid('NOT_FOUND'));
  });

  it('INACTIVE once deactivated, and redeem refuses it too', async () => {
    await createCode({ code: 'gone' });
    await (await app.operator()).request(DeactivatePromoCodeDocument, { code: 'gone' });
    expect(await validateAs('biz_r2', 'gone')).toEqual(invalid('INACTIVE'));
    expect(await invalidReason(redeemFor(app, 'biz_r2', 'gone'))).toBe('INACTIVE');
  });

  it('EXPIRED from expiresAt on, by the billing clock', async () => {
    await createCode({ code: 'short-lived', expiresAt: inOneHour() });
    expect((await validateAs('biz_r3', 'short-lived')).valid).toBe(true);
    clock.advance(3_600_000); // exactly at expiresAt: expired
    try {
      expect(await validateAs('biz_r3', 'short-lived')).toEqual(invalid('EXPIRED'));
      expect(await invalidReason(redeemFor(app, 'biz_r3', 'short-lived'))).toBe('EXPIRED');
    } finally {
      clock.set(new Date());
    }
  });

  it('MAX_REDEMPTIONS_REACHED once the last redemption is taken', async () => {
    await createCode({ code: 'only-one', maxRedemptions: 1 });
    await redeemFor(app, 'biz_r4a', 'only-one');
    expect(await validateAs('biz_r4b', 'only-one')).toEqual(invalid('MAX_REDEMPTIONS_REACHED'));
    expect(await invalidReason(redeemFor(app, 'biz_r4b', 'only-one'))).toBe('MAX_REDEMPTIONS_REACHED');
    expect((await app.services.promotions.findByCode('only-one'))!.timesRedeemed).toBe(1);
  });

  it('NOT_APPLICABLE_TO_PLAN for a plan not listed, or a fixed amount in another currency than the plan', async () => {
    await createCode({ code: 'growth-only', planCodes: ['growth_monthly'] });
    expect(await validateAs('biz_r5', 'growth-only', 'starter_monthly')).toEqual(invalid('NOT_APPLICABLE_TO_PLAN'));
    expect((await validateAs('biz_r5', 'growth-only', 'GROWTH_MONTHLY')).valid).toBe(true);
    expect((await validateAs('biz_r5', 'growth-only')).valid).toBe(true); // no plan named: not checked yet
    expect(await invalidReason(redeemFor(app, 'biz_r5', 'growth-only', { planCode: 'starter_monthly' }))).toBe('NOT_APPLICABLE_TO_PLAN');

    await createCode({ code: 'euro-off', percentOff: null, amountOff: 500, currency: 'eur' });
    expect(await validateAs('biz_r5', 'euro-off', 'starter_monthly')).toEqual(invalid('NOT_APPLICABLE_TO_PLAN'));
  });

  it('FIRST_TIME_ONLY for a business with a subscription history', async () => {
    await createCode({ code: 'welcome', firstTimeOnly: true });
    expect(await invalidReason(redeemFor(app, 'biz_r6', 'welcome', { isFirstTimeCustomer: false }))).toBe('FIRST_TIME_ONLY');
    // The same question through the service's own check, answered "not first time" by a stand-in.
    const returning = new PromotionService(app.services.db, clock, createLogger('silent'), async () => false);
    expect(await returning.validate('welcome', { businessId: 'biz_r6' })).toEqual(invalid('FIRST_TIME_ONLY'));
    // The wired check: a business with no subscription is a first-time customer.
    expect((await validateAs('biz_r6', 'welcome')).valid).toBe(true);
    expect(await invalidReason(redeemFor(app, 'biz_r6', 'welcome', { isFirstTimeCustomer: false }))).toBe('FIRST_TIME_ONLY');
    expect((await redeemFor(app, 'biz_r6', 'welcome')).code).toBe('welcome');
  });

  it('ALREADY_REDEEMED for the business that redeemed it, and redeem refuses a second time', async () => {
    await createCode({ code: 'twice', maxRedemptions: 10 });
    await redeemFor(app, 'biz_r7', 'twice');
    expect(await validateAs('biz_r7', 'twice')).toEqual(invalid('ALREADY_REDEEMED'));
    expect(await invalidReason(redeemFor(app, 'biz_r7', 'TWICE'))).toBe('ALREADY_REDEEMED');
    expect((await app.services.promotions.findByCode('twice'))!.timesRedeemed).toBe(1);
  });

  it('leaves the caller\'s transaction usable after a refused redemption, with nothing of it kept', async () => {
    await createCode({ code: 'keep-going', maxRedemptions: 3 });
    await redeemFor(app, 'biz_r8', 'keep-going');
    const { db, promotions } = app.services;
    const reason = await db.transaction(async (tx) => {
      const refused = await invalidReason(
        promotions.redeem(tx, { code: 'keep-going', businessId: 'biz_r8', planCode: 'starter_monthly', now: clock.now() }),
      );
      await tx.execute(sql`select 1`); // the transaction is not aborted
      return refused;
    });
    expect(reason).toBe('ALREADY_REDEEMED');
    expect((await promotions.findByCode('keep-going'))!.timesRedeemed).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/errors.js';
import type { PromoCode } from '../../src/promotions/promotions.model.js';
import {
  addUtcMonths,
  applicability,
  discountAmount,
  discountAppliesTo,
  discountEndsAt,
  discountSchedule,
  validatePromoDraft,
  type ApplicabilityContext,
} from '../../src/promotions/promotions.rules.js';

const usd = (amount: number) => ({ amount, currency: 'usd' });
const percent = (percentOff: number) => ({ percentOff, amountOff: null });
const fixed = (amount: number, currency = 'usd') => ({ percentOff: null, amountOff: { amount, currency } });

describe('discountAmount: percent, rounded half to even once', () => {
  it.each([
    [50, 2999, 1500], // 2999 * 50 / 100 = 1499.5, a tie: 1499 is odd, so to the even 1500
    [50, 2997, 1498], // 2997 * 50 / 100 = 1498.5, a tie: 1498 is even, so down to 1498
    [10, 1005, 100], // 1005 * 10 / 100 = 100.5, a tie: 100 is even, so down to 100
    [10, 1015, 102], // 1015 * 10 / 100 = 101.5, a tie: 101 is odd, so up to 102
    [15, 2900, 435], // 2900 * 15 / 100 = 435 exactly
    [15, 1999, 300], // 1999 * 15 / 100 = 299.85, above the half: up to 300
    [33, 1999, 660], // 1999 * 33 / 100 = 659.67, above the half: up to 660
    [20, 2999, 600], // 2999 * 20 / 100 = 599.8, above the half: up to 600
    [25, 1, 0], // 1 * 25 / 100 = 0.25, below the half: down to 0
    [50, 1, 0], // 1 * 50 / 100 = 0.5, a tie: 0 is even, so down to 0
    [50, 3, 2], // 3 * 50 / 100 = 1.5, a tie: 1 is odd, so up to 2
    [12, 99000, 11880], // 99000 * 12 / 100 = 11880 exactly (the yearly plan)
    [100, 2999, 2999], // 2999 * 100 / 100 = 2999: all of it
  ])('%i%% of %i is %i', (percentOff, subtotal, expected) => {
    expect(discountAmount(percent(percentOff), usd(subtotal))).toBe(expected);
  });

  it('works the same in a currency without minor units', () => {
    // 1050 * 15 / 100 = 157.5 yen, a tie: 157 is odd, so up to 158
    expect(discountAmount(percent(15), { amount: 1050, currency: 'jpy' })).toBe(158);
  });

  it('never discounts a zero or negative subtotal', () => {
    expect(discountAmount(percent(50), usd(0))).toBe(0);
    expect(discountAmount(percent(50), usd(-500))).toBe(0);
    expect(discountAmount(fixed(500), usd(-500))).toBe(0);
  });
});

describe('discountAmount: fixed amounts', () => {
  it('takes the amount off, never more than the subtotal', () => {
    expect(discountAmount(fixed(1000), usd(2900))).toBe(1000); // 2900 - 1000 leaves 1900 to pay
    expect(discountAmount(fixed(5000), usd(2900))).toBe(2900); // capped: min(5000, 2900)
    expect(discountAmount(fixed(2900), usd(2900))).toBe(2900);
  });

  it('applies nothing to a subtotal in another currency', () => {
    expect(discountAmount(fixed(1000, 'eur'), usd(2900))).toBe(0);
    expect(discountAmount(fixed(1000), { amount: 2900, currency: 'USD' })).toBe(1000);
  });
});

describe('discount durations', () => {
  it('ends a REPEATING discount N UTC calendar months later, clamped to the month end', () => {
    const at = (iso: string) => new Date(iso);
    expect(discountEndsAt('repeating', 1, at('2025-01-31T10:00:00Z'))).toEqual(at('2025-02-28T10:00:00Z'));
    expect(discountEndsAt('repeating', 1, at('2024-01-31T10:00:00Z'))).toEqual(at('2024-02-29T10:00:00Z')); // leap year
    expect(discountEndsAt('repeating', 3, at('2025-11-30T00:00:00Z'))).toEqual(at('2026-02-28T00:00:00Z'));
    expect(discountEndsAt('repeating', 12, at('2024-02-29T08:00:00Z'))).toEqual(at('2025-02-28T08:00:00Z'));
    expect(discountEndsAt('repeating', 2, at('2025-03-15T12:34:56.789Z'))).toEqual(at('2025-05-15T12:34:56.789Z'));
    expect(addUtcMonths(at('2025-08-31T23:30:00Z'), 1)).toEqual(at('2025-09-30T23:30:00Z'));
  });

  it('gives ONCE and FOREVER no end date, and tells them apart by schedule', () => {
    const start = new Date('2025-01-15T00:00:00Z');
    expect(discountEndsAt('once', null, start)).toBeNull();
    expect(discountEndsAt('forever', null, start)).toBeNull();
    expect(discountSchedule('once', null, start)).toEqual({ kind: 'once' });
    expect(discountSchedule('forever', null, start)).toEqual({ kind: 'forever' });
    expect(discountSchedule('repeating', 2, start)).toEqual({ kind: 'until', endsAt: new Date('2025-03-15T00:00:00Z') });
  });

  it('applies ONCE to the first invoice only, REPEATING to periods starting before the end, FOREVER always', () => {
    const start = new Date('2025-01-15T00:00:00Z');
    const first = { isFirstInvoice: true, periodStart: start };
    const second = { isFirstInvoice: false, periodStart: new Date('2025-02-15T00:00:00Z') };
    const third = { isFirstInvoice: false, periodStart: new Date('2025-03-15T00:00:00Z') };
    const once = discountSchedule('once', null, start);
    const twoMonths = discountSchedule('repeating', 2, start);
    const forever = discountSchedule('forever', null, start);
    expect([first, second, third].map((i) => discountAppliesTo(once, i))).toEqual([true, false, false]);
    expect([first, second, third].map((i) => discountAppliesTo(twoMonths, i))).toEqual([true, true, false]);
    expect([first, second, third].map((i) => discountAppliesTo(forever, i))).toEqual([true, true, true]);
  });
});

describe('applicability: the first reason in the contract order', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  const good: PromoCode = {
    id: 'p1',
    code: 'welcome',
    percentOff: null,
    amountOff: { amount: 500, currency: 'usd' },
    duration: 'once',
    durationInMonths: null,
    maxRedemptions: 10,
    timesRedeemed: 0,
    expiresAt: new Date('2025-07-01T00:00:00Z'),
    planCodes: ['starter_monthly'],
    firstTimeOnly: true,
    active: true,
    createdAt: now,
  };
  const fine: ApplicabilityContext = { planCode: 'starter_monthly', planCurrency: 'usd', alreadyRedeemed: false, isFirstTimeCustomer: true, now };

  it('peels the reasons off one at a time', () => {
    const allWrong = { ...good, active: false, expiresAt: now, timesRedeemed: 10 };
    const ctx = { ...fine, planCode: 'growth_monthly', alreadyRedeemed: true, isFirstTimeCustomer: false };
    expect(applicability(undefined, ctx)).toBe('NOT_FOUND');
    expect(applicability(allWrong, ctx)).toBe('INACTIVE');
    expect(applicability({ ...allWrong, active: true }, ctx)).toBe('EXPIRED'); // expires at exactly now: expired
    expect(applicability({ ...allWrong, active: true, expiresAt: null }, ctx)).toBe('MAX_REDEMPTIONS_REACHED');
    expect(applicability(good, ctx)).toBe('NOT_APPLICABLE_TO_PLAN');
    expect(applicability(good, { ...ctx, planCode: 'STARTER_MONTHLY' })).toBe('FIRST_TIME_ONLY');
    expect(applicability(good, { ...ctx, planCode: 'starter_monthly', isFirstTimeCustomer: true })).toBe('ALREADY_REDEEMED');
    expect(applicability(good, fine)).toBeNull();
  });

  it('refuses a fixed amount for a plan priced in another currency, and checks no plan when none is named', () => {
    const anyPlan = { ...good, planCodes: [] };
    expect(applicability(anyPlan, { ...fine, planCurrency: 'eur' })).toBe('NOT_APPLICABLE_TO_PLAN');
    expect(applicability({ ...anyPlan, amountOff: null, percentOff: 10 }, { ...fine, planCurrency: 'eur' })).toBeNull();
    expect(applicability(good, { ...fine, planCode: undefined, planCurrency: undefined })).toBeNull();
    expect(applicability({ ...good, maxRedemptions: null, timesRedeemed: 999, expiresAt: null }, fine)).toBeNull();
  });
});

describe('validatePromoDraft', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it('normalises code, currency and plan codes', () => {
    const draft = validatePromoDraft(
      { code: ' Summer-25 ', amountOff: 1000, currency: 'USD', duration: 'repeating', durationInMonths: 3, planCodes: ['Starter_Monthly', 'starter_monthly'] },
      now,
    );
    expect(draft).toEqual({
      code: 'summer-25',
      percentOff: null,
      amountOff: { amount: 1000, currency: 'usd' },
      duration: 'repeating',
      durationInMonths: 3,
      maxRedemptions: null,
      expiresAt: null,
      planCodes: ['starter_monthly'],
      firstTimeOnly: false,
    });
  });

  it('measures expiresAt against the clock it is given', () => {
    const input = { code: 'soon', percentOff: 5, duration: 'once' as const };
    expect(validatePromoDraft({ ...input, expiresAt: new Date(now.getTime() + 1) }, now).expiresAt).toEqual(new Date(now.getTime() + 1));
    const error = (() => {
      try {
        validatePromoDraft({ ...input, expiresAt: now }, now);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).extensions).toEqual({ field: 'expiresAt' });
  });
});

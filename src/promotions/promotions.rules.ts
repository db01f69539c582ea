import { BadUserInputError } from '../errors/errors.js';
import { divideRoundHalfEven, normalizeCurrency, type Money } from '../money/money.js';
import type {
  DiscountSchedule,
  PromoCode,
  PromoCodeInvalidReason,
  PromoDraft,
  PromoDuration,
  PromoTerms,
} from './promotions.model.js';

export interface PromoDraftInput {
  code: string;
  percentOff?: number | null;
  amountOff?: number | null;
  currency?: string | null;
  duration: PromoDuration;
  durationInMonths?: number | null;
  maxRedemptions?: number | null;
  expiresAt?: Date | null;
  planCodes?: string[] | null;
  firstTimeOnly?: boolean | null;
}

/** As plan codes, checked after lower-casing: codes are case-insensitive. */
const CODE = /^[a-z0-9][a-z0-9_-]{1,63}$/;
const PLAN_CODE = CODE;
/** Same guard as plan prices: larger is almost certainly a units mistake. */
const MAX_AMOUNT = 100_000_000;
/** Ten years; longer is a typo for FOREVER. */
const MAX_DURATION_MONTHS = 120;

/** Lower-cased and trimmed: the form in which codes are stored and looked up. */
export function normalizePromoCode(code: string): string {
  return code.trim().toLowerCase();
}

/**
 * Checks an operator's promo code against the clock's `now` and returns it normalised; the first
 * problem found is a BAD_USER_INPUT naming its field. Whether the plan codes exist is the service's
 * check (it needs the database).
 */
export function validatePromoDraft(input: PromoDraftInput, now: Date): PromoDraft {
  const code = normalizePromoCode(input.code);
  if (!CODE.test(code)) {
    throw new BadUserInputError('code must be 2-64 characters of letters, digits, "_" or "-", starting with a letter or digit', 'code');
  }

  const percent = input.percentOff ?? null;
  const amount = input.amountOff ?? null;
  const currencyInput = input.currency ?? null;
  let percentOff: number | null = null;
  let amountOff: Money | null = null;
  if (percent !== null && (amount !== null || currencyInput !== null)) {
    throw new BadUserInputError('give either percentOff, or amountOff with currency, not both', percent !== null && amount !== null ? 'amountOff' : 'currency');
  }
  if (percent !== null) {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw new BadUserInputError('percentOff must be a whole number from 1 to 100', 'percentOff');
    }
    percentOff = percent;
  } else if (amount !== null) {
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_AMOUNT) {
      throw new BadUserInputError(`amountOff must be a whole number of minor units from 1 to ${MAX_AMOUNT}`, 'amountOff');
    }
    if (currencyInput === null) throw new BadUserInputError('amountOff needs a currency', 'currency');
    const currency = normalizeCurrency(currencyInput);
    if (!currency) throw new BadUserInputError(`"${currencyInput}" is not an ISO 4217 currency code`, 'currency');
    amountOff = { amount, currency };
  } else if (currencyInput !== null) {
    throw new BadUserInputError('currency goes with amountOff; give amountOff too, or percentOff without currency', 'amountOff');
  } else {
    throw new BadUserInputError('give percentOff, or amountOff with currency', 'percentOff');
  }

  const months = input.durationInMonths ?? null;
  if (input.duration === 'repeating') {
    if (months === null) throw new BadUserInputError('a REPEATING code needs durationInMonths', 'durationInMonths');
    if (!Number.isInteger(months) || months < 1 || months > MAX_DURATION_MONTHS) {
      throw new BadUserInputError(`durationInMonths must be a whole number from 1 to ${MAX_DURATION_MONTHS}`, 'durationInMonths');
    }
  } else if (months !== null) {
    throw new BadUserInputError('durationInMonths is for REPEATING codes only', 'durationInMonths');
  }

  const maxRedemptions = input.maxRedemptions ?? null;
  if (maxRedemptions !== null && (!Number.isSafeInteger(maxRedemptions) || maxRedemptions < 1)) {
    throw new BadUserInputError('maxRedemptions must be at least 1, or omitted for unlimited', 'maxRedemptions');
  }

  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && !(expiresAt.getTime() > now.getTime())) {
    throw new BadUserInputError('expiresAt must be in the future', 'expiresAt');
  }

  const planCodes = [...new Set((input.planCodes ?? []).map((c) => c.trim().toLowerCase()))];
  const badPlan = planCodes.find((c) => !PLAN_CODE.test(c));
  if (badPlan !== undefined) throw new BadUserInputError(`"${badPlan}" is not a plan code`, 'planCodes');

  return {
    code,
    percentOff,
    amountOff,
    duration: input.duration,
    durationInMonths: input.duration === 'repeating' ? months : null,
    maxRedemptions,
    expiresAt,
    planCodes,
    firstTimeOnly: input.firstTimeOnly ?? false,
  };
}

export interface ApplicabilityContext {
  /** The plan the code would apply to; omitted when not known yet (then plan rules are not checked). */
  planCode?: string;
  /** That plan's currency: a fixed-amount code in another currency does not apply to it. */
  planCurrency?: string;
  /** The business already redeemed this code. */
  alreadyRedeemed: boolean;
  /** The business never had a subscription. */
  isFirstTimeCustomer: boolean;
  now: Date;
}

/** Why `code` cannot be used in `ctx`, the first reason in the contract's order; null when it can. */
export function applicability(code: PromoCode | undefined, ctx: ApplicabilityContext): PromoCodeInvalidReason | null {
  if (!code) return 'NOT_FOUND';
  if (!code.active) return 'INACTIVE';
  if (code.expiresAt !== null && code.expiresAt.getTime() <= ctx.now.getTime()) return 'EXPIRED';
  if (code.maxRedemptions !== null && code.timesRedeemed >= code.maxRedemptions) return 'MAX_REDEMPTIONS_REACHED';
  if (ctx.planCode !== undefined) {
    if (code.planCodes.length > 0 && !code.planCodes.includes(ctx.planCode.trim().toLowerCase())) return 'NOT_APPLICABLE_TO_PLAN';
    if (code.amountOff && ctx.planCurrency !== undefined && code.amountOff.currency !== ctx.planCurrency) {
      return 'NOT_APPLICABLE_TO_PLAN';
    }
  }
  if (code.firstTimeOnly && !ctx.isFirstTimeCustomer) return 'FIRST_TIME_ONLY';
  if (ctx.alreadyRedeemed) return 'ALREADY_REDEEMED';
  return null;
}

/**
 * The discount on `subtotal`, in its minor units, never more than the subtotal (and 0 on a zero or
 * negative subtotal). Percent: subtotal × percent / 100 rounded half to even, the service's one
 * rounding rule. Fixed: the amount, capped at the subtotal; 0 when its currency is not the subtotal's.
 */
export function discountAmount(discount: { percentOff: number | null; amountOff: Money | null }, subtotal: Money): number {
  if (subtotal.amount <= 0) return 0;
  if (discount.percentOff !== null) {
    return Number(divideRoundHalfEven(BigInt(subtotal.amount) * BigInt(discount.percentOff), 100n));
  }
  if (discount.amountOff !== null) {
    if (discount.amountOff.currency !== subtotal.currency.toLowerCase()) return 0;
    return Math.min(discount.amountOff.amount, subtotal.amount);
  }
  return 0;
}

/** `start` plus `months` calendar months in UTC, clamped to the month's last day (Jan 31 + 1 → Feb 28/29). */
export function addUtcMonths(start: Date, months: number): Date {
  const target = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      target.getUTCFullYear(),
      target.getUTCMonth(),
      Math.min(start.getUTCDate(), lastDay),
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
      start.getUTCMilliseconds(),
    ),
  );
}

/**
 * When a discount redeemed at `start` ends, as an explicit schedule:
 * ONCE → `{ kind: 'once' }` (the first invoice after redemption only), REPEATING → `{ kind: 'until',
 * endsAt: start + N UTC calendar months }` (invoices whose period starts before endsAt),
 * FOREVER → `{ kind: 'forever' }`.
 */
export function discountSchedule(duration: PromoDuration, durationInMonths: number | null, start: Date): DiscountSchedule {
  switch (duration) {
    case 'once':
      return { kind: 'once' };
    case 'forever':
      return { kind: 'forever' };
    case 'repeating':
      if (durationInMonths === null || durationInMonths < 1) throw new RangeError('a repeating discount needs durationInMonths >= 1');
      return { kind: 'until', endsAt: addUtcMonths(start, durationInMonths) };
  }
}

/**
 * The discount's end instant, for display (`discount.endsAt`). Null for FOREVER (never ends) AND for
 * ONCE, where null means "first invoice only", not "never": callers that apply discounts must read
 * `duration` (or use `discountSchedule`) rather than this alone.
 */
export function discountEndsAt(duration: PromoDuration, durationInMonths: number | null, start: Date): Date | null {
  const schedule = discountSchedule(duration, durationInMonths, start);
  return schedule.kind === 'until' ? schedule.endsAt : null;
}

/**
 * Whether a discount applies to an invoice, for the subscriptions module: `isFirstInvoice` is true for
 * the first invoice issued after the redemption; `periodStart` is the invoice's billing period start.
 */
export function discountAppliesTo(schedule: DiscountSchedule, invoice: { isFirstInvoice: boolean; periodStart: Date }): boolean {
  switch (schedule.kind) {
    case 'once':
      return invoice.isFirstInvoice;
    case 'forever':
      return true;
    case 'until':
      return invoice.periodStart.getTime() < schedule.endsAt.getTime();
  }
}

/** The terms of a code, as a discount snapshot keeps them. */
export function termsOf(code: PromoTerms): PromoTerms {
  return {
    percentOff: code.percentOff,
    amountOff: code.amountOff,
    duration: code.duration,
    durationInMonths: code.durationInMonths,
  };
}

import type { Money } from '../money/money.js';

/** How long a promo code's discount lasts once redeemed (Stripe's coupon `duration`). */
export type PromoDuration = 'once' | 'repeating' | 'forever';

/** Why a code cannot be used now, checked in this order (the first that holds is answered). */
export const INVALID_REASONS = [
  'NOT_FOUND',
  'INACTIVE',
  'EXPIRED',
  'MAX_REDEMPTIONS_REACHED',
  'NOT_APPLICABLE_TO_PLAN',
  'FIRST_TIME_ONLY',
  'ALREADY_REDEEMED',
] as const;
export type PromoCodeInvalidReason = (typeof INVALID_REASONS)[number];

/** The discount a code gives: exactly one of percentOff and amountOff is set. */
export interface PromoTerms {
  /** Whole percent, 1-100. */
  percentOff: number | null;
  /** Fixed amount in minor units, in its own currency (lower case). */
  amountOff: Money | null;
  duration: PromoDuration;
  /** Set for `repeating` only, at least 1. */
  durationInMonths: number | null;
}

/** What an operator asks for, already normalised and checked by `validatePromoDraft`. */
export interface PromoDraft extends PromoTerms {
  /** Lower case; codes are case-insensitive everywhere. */
  code: string;
  maxRedemptions: number | null;
  expiresAt: Date | null;
  /** Plans the code applies to; empty means every plan. */
  planCodes: string[];
  firstTimeOnly: boolean;
}

export interface PromoCode extends PromoDraft {
  id: string;
  active: boolean;
  timesRedeemed: number;
  createdAt: Date;
}

/**
 * When a discount stops applying to invoices, explicit for each duration:
 * - `once`: the first invoice issued for the subscription after redemption, and no other.
 * - `until`: every invoice whose billing period starts before `endsAt` (repeating codes).
 * - `forever`: every invoice of the subscription.
 */
export type DiscountSchedule = { kind: 'once' } | { kind: 'until'; endsAt: Date } | { kind: 'forever' };

/**
 * What a redemption fixes for the subscription: the code's terms as they were when redeemed (a later
 * change to the code never changes a redeemed discount).
 */
export interface DiscountSnapshot extends PromoTerms {
  redemptionId: string;
  promoCodeId: string;
  /** The code as stored (lower case). */
  code: string;
  redeemedAt: Date;
  schedule: DiscountSchedule;
  /** `schedule.endsAt` for repeating codes; null for once (first invoice only) and forever. */
  endsAt: Date | null;
}

import type { Clock } from '../clock/clock.js';
import type { Database, Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError, BadUserInputError, ConflictError, NotFoundError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Money } from '../money/money.js';
import { findPlanByCode } from '../plans/plans.repo.js';
import type { DiscountSnapshot, PromoCode, PromoCodeInvalidReason, PromoDuration } from './promotions.model.js';
import * as repo from './promotions.repo.js';
import { applicability, discountSchedule, termsOf, validatePromoDraft, type PromoDraftInput } from './promotions.rules.js';

/** Whether a business has never had a subscription (for first-time-only codes). */
export type FirstTimeCustomerCheck = (db: Db, businessId: string) => Promise<boolean>;

export interface PromoCodeValidation {
  valid: boolean;
  /** Null when valid. */
  reason: PromoCodeInvalidReason | null;
  /** The code's terms, given only when it is valid. */
  percentOff: number | null;
  amountOff: Money | null;
  duration: PromoDuration | null;
  durationInMonths: number | null;
}

export interface RedeemParams {
  code: string;
  businessId: string;
  /** The plan the discount goes to. */
  planCode: string;
  /** Omitted: asked of the service's FirstTimeCustomerCheck inside `tx`. */
  isFirstTimeCustomer?: boolean;
  /** The subscription getting the discount, when it already exists; see `setRedemptionSubscription`. */
  subscriptionId?: string | null;
  /** The caller's one reading of the clock for its action. */
  now: Date;
}

const MESSAGES: Record<PromoCodeInvalidReason, (code: string, planCode?: string) => string> = {
  NOT_FOUND: (code) => `There is no promo code "${code}"`,
  INACTIVE: (code) => `Promo code "${code}" is no longer active`,
  EXPIRED: (code) => `Promo code "${code}" has expired`,
  MAX_REDEMPTIONS_REACHED: (code) => `Promo code "${code}" has been redeemed the maximum number of times`,
  NOT_APPLICABLE_TO_PLAN: (code, planCode) => `Promo code "${code}" does not apply to plan "${planCode ?? ''}"`,
  FIRST_TIME_ONLY: (code) => `Promo code "${code}" is for new customers only`,
  ALREADY_REDEEMED: (code) => `This business has already redeemed promo code "${code}"`,
};

/** The contract's PROMO_CODE_INVALID error, with `extensions.reason`. */
export function promoCodeInvalid(reason: PromoCodeInvalidReason, code: string, planCode?: string): AppError {
  return new AppError('PROMO_CODE_INVALID', MESSAGES[reason](code, planCode), { reason });
}

export class PromotionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly isFirstTimeCustomer: FirstTimeCustomerCheck,
  ) {}

  findByCode(code: string): Promise<PromoCode | undefined> {
    return repo.findByCode(this.db, code);
  }

  async create(input: PromoDraftInput, actor: string): Promise<PromoCode> {
    const draft = validatePromoDraft(input, this.clock.now());
    for (const planCode of draft.planCodes) {
      const plan = await findPlanByCode(this.db, planCode);
      if (!plan) throw new BadUserInputError(`There is no plan "${planCode}"`, 'planCodes');
      if (draft.amountOff && plan.price.currency !== draft.amountOff.currency) {
        throw new BadUserInputError(
          `plan "${planCode}" is priced in ${plan.price.currency}, so an amountOff in ${draft.amountOff.currency} would never apply`,
          'planCodes',
        );
      }
    }
    try {
      const promo = await repo.insertPromoCode(this.db, draft);
      this.log.info({ promoCode: promo.code, actor }, 'promo code created');
      return promo;
    } catch (error) {
      if (isUniqueViolation(error, 'promo_codes_code_unique')) {
        throw new ConflictError(`A promo code "${draft.code}" already exists; codes are never reused`);
      }
      throw error;
    }
  }

  /** Idempotent: an inactive code answers as it is. Discounts already redeemed keep running. */
  async deactivate(code: string, actor: string): Promise<PromoCode> {
    const deactivated = await repo.deactivateByCode(this.db, code);
    if (deactivated) {
      this.log.info({ promoCode: deactivated.code, actor }, 'promo code deactivated');
      return deactivated;
    }
    const promo = await repo.findByCode(this.db, code);
    if (!promo) throw new NotFoundError(`Promo code "${code}"`);
    return promo;
  }

  /** Whether `businessId` could redeem `code` now (for `planCode` when given). Changes nothing. */
  async validate(code: string, options: { businessId: string; planCode?: string | null }): Promise<PromoCodeValidation> {
    const now = this.clock.now();
    const planCode = options.planCode ? options.planCode.trim().toLowerCase() : undefined;
    const plan = planCode !== undefined ? await findPlanByCode(this.db, planCode) : undefined;
    if (planCode !== undefined && !plan) throw new NotFoundError(`Plan "${options.planCode}"`);
    const promo = await repo.findByCode(this.db, code);
    const reason = applicability(promo, {
      planCode,
      planCurrency: plan?.price.currency,
      alreadyRedeemed: promo ? await repo.hasRedeemed(this.db, promo.id, options.businessId) : false,
      isFirstTimeCustomer: promo?.firstTimeOnly ? await this.isFirstTimeCustomer(this.db, options.businessId) : true,
      now,
    });
    if (reason !== null || !promo) {
      return { valid: false, reason: reason ?? 'NOT_FOUND', percentOff: null, amountOff: null, duration: null, durationInMonths: null };
    }
    return { valid: true, reason: null, ...termsOf(promo) };
  }

  /**
   * Redeems `code` for a business inside the caller's transaction `tx` (READ COMMITTED, the default),
   * in a savepoint: on PROMO_CODE_INVALID nothing of it stays, and `tx` remains usable. Takes a slot
   * with a conditional update (never above maxRedemptions, whatever the concurrency) and records the
   * redemption (a business redeems a code once). Answers the discount as redeemed.
   */
  async redeem(tx: Db, params: RedeemParams): Promise<DiscountSnapshot> {
    const planCode = params.planCode.trim().toLowerCase();
    const snapshot = await tx.transaction(async (sp) => {
      const plan = await findPlanByCode(sp, planCode);
      if (!plan) throw new NotFoundError(`Plan "${params.planCode}"`);
      const promo = await repo.findByCode(sp, params.code);
      const reason = applicability(promo, {
        planCode,
        planCurrency: plan.price.currency,
        alreadyRedeemed: promo ? await repo.hasRedeemed(sp, promo.id, params.businessId) : false,
        isFirstTimeCustomer: !promo?.firstTimeOnly || (params.isFirstTimeCustomer ?? (await this.isFirstTimeCustomer(sp, params.businessId))),
        now: params.now,
      });
      if (reason !== null || !promo) throw promoCodeInvalid(reason ?? 'NOT_FOUND', params.code, planCode);

      const taken = await repo.takeRedemptionSlot(sp, promo.id, params.now);
      if (!taken) {
        // Another transaction changed the code since it was read: name what holds now.
        const current = await repo.findByCode(sp, params.code);
        const now = applicability(current, { alreadyRedeemed: false, isFirstTimeCustomer: true, now: params.now });
        throw promoCodeInvalid(now ?? 'MAX_REDEMPTIONS_REACHED', params.code, planCode);
      }
      const redemption = await repo.insertRedemption(sp, {
        promoCodeId: taken.id,
        businessId: params.businessId,
        subscriptionId: params.subscriptionId ?? null,
        redeemedAt: params.now,
      });
      if (!redemption) throw promoCodeInvalid('ALREADY_REDEEMED', params.code, planCode);

      const schedule = discountSchedule(taken.duration, taken.durationInMonths, params.now);
      return {
        ...termsOf(taken),
        redemptionId: redemption.id,
        promoCodeId: taken.id,
        code: taken.code,
        redeemedAt: redemption.redeemedAt,
        schedule,
        endsAt: schedule.kind === 'until' ? schedule.endsAt : null,
      } satisfies DiscountSnapshot;
    });
    this.log.info({ promoCode: snapshot.code, businessId: params.businessId }, 'promo code redeemed');
    return snapshot;
  }
}

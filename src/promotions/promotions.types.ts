import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from '../graphql/money.type.js';
import type { PromoCode, PromoCodeInvalidReason } from './promotions.model.js';
import type { PromoCodeValidation } from './promotions.service.js';

export enum PromoDurationEnum {
  ONCE = 'once',
  REPEATING = 'repeating',
  FOREVER = 'forever',
}
registerEnumType(PromoDurationEnum, {
  name: 'PromoDuration',
  description: 'ONCE: the first invoice after redemption only. REPEATING: invoices for periods starting within durationInMonths of redemption. FOREVER: every invoice.',
});

export enum PromoCodeInvalidReasonEnum {
  NOT_FOUND = 'NOT_FOUND',
  INACTIVE = 'INACTIVE',
  EXPIRED = 'EXPIRED',
  MAX_REDEMPTIONS_REACHED = 'MAX_REDEMPTIONS_REACHED',
  NOT_APPLICABLE_TO_PLAN = 'NOT_APPLICABLE_TO_PLAN',
  FIRST_TIME_ONLY = 'FIRST_TIME_ONLY',
  ALREADY_REDEEMED = 'ALREADY_REDEEMED',
}
registerEnumType(PromoCodeInvalidReasonEnum, {
  name: 'PromoCodeInvalidReason',
  description: 'Why a promo code cannot be used; when several hold, the first in this order is given.',
});

@ObjectType('PromoCode', { description: 'A promo code, as operators see it.' })
export class PromoCodeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Lower case; customers may type it in any case.' })
  code!: string;

  @Field(() => Boolean, { description: 'False once deactivated: no new redemptions; discounts already given keep running.' })
  active!: boolean;

  @Field(() => Int)
  timesRedeemed!: number;

  @Field(() => Int, { nullable: true, description: 'Whole percent off; null for a fixed-amount code.' })
  percentOff!: number | null;

  @Field(() => MoneyType, { nullable: true, description: 'Fixed amount off; null for a percent code.' })
  amountOff!: MoneyType | null;

  @Field(() => PromoDurationEnum)
  duration!: PromoDurationEnum;

  @Field(() => Int, { nullable: true, description: 'REPEATING only.' })
  durationInMonths!: number | null;

  @Field(() => Int, { nullable: true, description: 'Null is unlimited.' })
  maxRedemptions!: number | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'No redemption from this instant on; null never expires.' })
  expiresAt!: Date | null;

  @Field(() => [String], { description: 'Plans it applies to; empty is every plan.' })
  planCodes!: string[];

  @Field(() => Boolean, { description: 'Only for businesses that never had a subscription.' })
  firstTimeOnly!: boolean;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  static from(promo: PromoCode): PromoCodeType {
    return Object.assign(new PromoCodeType(), {
      id: promo.id,
      code: promo.code,
      active: promo.active,
      timesRedeemed: promo.timesRedeemed,
      percentOff: promo.percentOff,
      amountOff: promo.amountOff ? MoneyType.of(promo.amountOff) : null,
      duration: promo.duration as PromoDurationEnum,
      durationInMonths: promo.durationInMonths,
      maxRedemptions: promo.maxRedemptions,
      expiresAt: promo.expiresAt,
      planCodes: promo.planCodes,
      firstTimeOnly: promo.firstTimeOnly,
      createdAt: promo.createdAt,
    });
  }
}

@ObjectType('PromoCodeValidation', { description: 'Whether the caller\'s business could redeem a code now; the terms are given when valid.' })
export class PromoCodeValidationType {
  @Field(() => Boolean)
  valid!: boolean;

  @Field(() => PromoCodeInvalidReasonEnum, { nullable: true, description: 'Null when valid.' })
  reason!: PromoCodeInvalidReasonEnum | null;

  @Field(() => Int, { nullable: true })
  percentOff!: number | null;

  @Field(() => MoneyType, { nullable: true })
  amountOff!: MoneyType | null;

  @Field(() => PromoDurationEnum, { nullable: true })
  duration!: PromoDurationEnum | null;

  @Field(() => Int, { nullable: true })
  durationInMonths!: number | null;

  static from(validation: PromoCodeValidation): PromoCodeValidationType {
    return Object.assign(new PromoCodeValidationType(), {
      valid: validation.valid,
      reason: validation.reason as PromoCodeInvalidReason as PromoCodeInvalidReasonEnum | null,
      percentOff: validation.percentOff,
      amountOff: validation.amountOff ? MoneyType.of(validation.amountOff) : null,
      duration: validation.duration as PromoDurationEnum | null,
      durationInMonths: validation.durationInMonths,
    });
  }
}

@InputType()
export class CreatePromoCodeInput {
  @Field(() => String, { description: 'Letters, digits, "_" and "-"; stored lower case.' })
  code!: string;

  @Field(() => Int, { nullable: true, description: 'Whole percent, 1-100. Either this or amountOff with currency.' })
  percentOff?: number | null;

  @Field(() => Int, { nullable: true, description: 'Fixed amount off in minor units; needs currency.' })
  amountOff?: number | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 of amountOff, either case.' })
  currency?: string | null;

  @Field(() => PromoDurationEnum)
  duration!: PromoDurationEnum;

  @Field(() => Int, { nullable: true, description: 'Required with REPEATING, and only then.' })
  durationInMonths?: number | null;

  @Field(() => Int, { nullable: true, description: 'Omit for unlimited.' })
  maxRedemptions?: number | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'In the future; omit for never.' })
  expiresAt?: Date | null;

  @Field(() => [String], { nullable: true, description: 'Plan codes it applies to; omit or empty for every plan.' })
  planCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  firstTimeOnly?: boolean | null;
}

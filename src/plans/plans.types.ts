import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyType } from '../graphql/money.type.js';
import type { Plan, PlanLimit } from './plans.model.js';

export enum PlanIntervalEnum {
  MONTH = 'month',
  YEAR = 'year',
}
registerEnumType(PlanIntervalEnum, { name: 'PlanInterval', description: 'How often a plan renews.' });

export enum EnforcementEnum {
  HARD = 'hard',
  SOFT = 'soft',
}
registerEnumType(EnforcementEnum, {
  name: 'LimitEnforcement',
  description: 'HARD refuses usage above the included units; SOFT admits it and bills it as overage.',
});

@ObjectType('PlanLimit')
export class PlanLimitType {
  @Field(() => String, { description: 'Meter code: calls or call_minutes.' })
  meter!: string;

  @Field(() => Int, { nullable: true, description: 'Units included per billing period; null is unlimited.' })
  included!: number | null;

  @Field(() => Boolean)
  unlimited!: boolean;

  @Field(() => EnforcementEnum)
  enforcement!: EnforcementEnum;

  @Field(() => MoneyType, { nullable: true, description: 'Price per unit above included (SOFT limits).' })
  overageUnitPrice!: MoneyType | null;

  static from(limit: PlanLimit, currency: string): PlanLimitType {
    return Object.assign(new PlanLimitType(), {
      meter: limit.meter,
      included: limit.included,
      unlimited: limit.included === null,
      enforcement: limit.enforcement as EnforcementEnum,
      overageUnitPrice: limit.overageUnitAmount === null ? null : MoneyType.of({ amount: limit.overageUnitAmount, currency }),
    });
  }
}

@ObjectType('Plan')
export class PlanType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => PlanIntervalEnum)
  interval!: PlanIntervalEnum;

  @Field(() => Int)
  trialDays!: number;

  @Field(() => Boolean, { description: 'False once archived: no new subscriptions; existing subscribers keep it.' })
  active!: boolean;

  @Field(() => MoneyType, { description: 'Price per interval.' })
  price!: MoneyType;

  @Field(() => [PlanLimitType])
  limits!: PlanLimitType[];

  @Field(() => [String], { description: 'Feature flags the plan unlocks.' })
  features!: string[];

  static from(plan: Plan): PlanType {
    return Object.assign(new PlanType(), {
      id: plan.id,
      code: plan.code,
      name: plan.name,
      description: plan.description,
      interval: plan.interval as PlanIntervalEnum,
      trialDays: plan.trialDays,
      active: plan.active,
      price: MoneyType.of(plan.price),
      limits: plan.limits.map((limit) => PlanLimitType.from(limit, plan.price.currency)),
      features: plan.features,
    });
  }
}

@InputType()
export class PlanLimitInput {
  @Field(() => String)
  meter!: string;

  @Field(() => Int, { nullable: true, description: 'Units included per period; omit or null for unlimited.' })
  included?: number | null;

  @Field(() => EnforcementEnum)
  enforcement!: EnforcementEnum;

  @Field(() => Int, { nullable: true, description: 'Minor units per unit above included; SOFT limits only.' })
  overageUnitAmount?: number | null;
}

@InputType()
export class CreatePlanInput {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => PlanIntervalEnum)
  interval!: PlanIntervalEnum;

  @Field(() => Int, { description: 'Price per interval in minor units.' })
  amount!: number;

  @Field(() => String, { description: 'ISO 4217, either case.' })
  currency!: string;

  @Field(() => Int, { nullable: true, defaultValue: 0 })
  trialDays?: number | null;

  @Field(() => [PlanLimitInput], { nullable: true })
  limits?: PlanLimitInput[] | null;

  @Field(() => [String], { nullable: true })
  features?: string[] | null;
}

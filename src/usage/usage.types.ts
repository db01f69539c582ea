import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { BatchOutcome, CheckOutcome, MeterUsage, RecordOutcome } from './usage.model.js';

export enum UsageRejectionReasonEnum {
  NO_SUBSCRIPTION = 'NO_SUBSCRIPTION',
  ACCOUNT_RESTRICTED = 'ACCOUNT_RESTRICTED',
  UNKNOWN_METER = 'UNKNOWN_METER',
  INVALID_QUANTITY = 'INVALID_QUANTITY',
  OCCURRED_IN_FUTURE = 'OCCURRED_IN_FUTURE',
  PERIOD_CLOSED = 'PERIOD_CLOSED',
  LIMIT_REACHED = 'LIMIT_REACHED',
}
registerEnumType(UsageRejectionReasonEnum, {
  name: 'UsageRejectionReason',
  description: 'Why usage was not counted (or would not be admitted). Nothing is counted for a refused event.',
});

export enum UsageGranularityEnum {
  DAY = 'DAY',
}
registerEnumType(UsageGranularityEnum, { name: 'UsageGranularity', description: 'DAY: UTC days.' });

@ObjectType('MeterUsage', { description: 'A meter in the subscription\'s current period.' })
export class MeterUsageType {
  @Field(() => String) meter!: string;
  @Field(() => Int, { description: 'Units counted this period.' }) used!: number;
  @Field(() => Int, { nullable: true, description: 'Null is unlimited.' }) included!: number | null;
  @Field(() => Int, { nullable: true, description: 'Included units left; null when unlimited.' }) remaining!: number | null;
  @Field(() => Int, { description: 'Units above included (SOFT limits, billed at the period end).' }) overage!: number;
  @Field(() => Boolean, { description: 'Used is at or above included.' }) limitReached!: boolean;
  @Field(() => DateTimeResolver) periodStart!: Date;
  @Field(() => DateTimeResolver) periodEnd!: Date;

  static from(usage: MeterUsage): MeterUsageType {
    return Object.assign(new MeterUsageType(), usage);
  }
}

@ObjectType('RecordUsageResult')
export class RecordUsageResultType {
  @Field(() => Boolean, { description: 'Counted, now or (duplicate) before.' }) accepted!: boolean;
  @Field(() => Boolean, { description: 'The idempotency key was recorded before: counted once, not again.' }) duplicate!: boolean;
  @Field(() => UsageRejectionReasonEnum, { nullable: true }) reason!: UsageRejectionReasonEnum | null;
  @Field(() => MeterUsageType, { nullable: true, description: 'The meter after this event; null when no subscription was found.' })
  usage!: MeterUsageType | null;

  static from(outcome: RecordOutcome): RecordUsageResultType {
    return Object.assign(new RecordUsageResultType(), {
      accepted: outcome.accepted,
      duplicate: outcome.duplicate,
      reason: outcome.reason as UsageRejectionReasonEnum | null,
      usage: outcome.usage ? MeterUsageType.from(outcome.usage) : null,
    });
  }
}

@ObjectType('UsageRejection')
export class UsageRejectionType {
  @Field(() => Int, { description: 'Position of the event in the input list.' }) index!: number;
  @Field(() => UsageRejectionReasonEnum) reason!: UsageRejectionReasonEnum;
}

@ObjectType('RecordUsageBatchResult')
export class RecordUsageBatchResultType {
  @Field(() => Int, { description: 'Events counted now.' }) accepted!: number;
  @Field(() => Int, { description: 'Events whose key was recorded before (counted once, not again).' }) duplicates!: number;
  @Field(() => [UsageRejectionType]) rejected!: UsageRejectionType[];

  static from(outcome: BatchOutcome): RecordUsageBatchResultType {
    return Object.assign(new RecordUsageBatchResultType(), {
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      rejected: outcome.rejected.map((r) => Object.assign(new UsageRejectionType(), { index: r.index, reason: r.reason as UsageRejectionReasonEnum })),
    });
  }
}

@ObjectType('UsageCheck')
export class UsageCheckType {
  @Field(() => Boolean) allowed!: boolean;
  @Field(() => Int, { nullable: true, description: 'Included units left; null when unlimited or unknown.' }) remaining!: number | null;
  @Field(() => UsageRejectionReasonEnum, { nullable: true }) reason!: UsageRejectionReasonEnum | null;

  static from(outcome: CheckOutcome): UsageCheckType {
    return Object.assign(new UsageCheckType(), { ...outcome, reason: outcome.reason as UsageRejectionReasonEnum | null });
  }
}

@ObjectType('UsagePoint')
export class UsagePointType {
  @Field(() => DateTimeResolver) start!: Date;
  @Field(() => DateTimeResolver) end!: Date;
  @Field(() => Int) quantity!: number;
}

@InputType('RecordUsageInput')
export class RecordUsageInput {
  @Field(() => ID) businessId!: string;
  @Field(() => String, { description: 'calls or call_minutes.' }) meter!: string;
  @Field(() => Int, { description: 'A positive whole number of the meter\'s units.' }) quantity!: number;
  @Field(() => String, { description: 'From the call id: a repeat is counted once, whenever it comes.' }) idempotencyKey!: string;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Default: now. At most 5 minutes ahead; not before the current period.' })
  occurredAt?: Date | null;
  @Field(() => JSONResolver, { nullable: true }) metadata?: unknown;
}

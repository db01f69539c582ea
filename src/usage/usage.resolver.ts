import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { requireBusinessReader, requireUsageWriter } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';
import { SubscriptionType } from '../subscriptions/subscriptions.types.js';
import type { SubscriptionRow } from '../subscriptions/subscriptions.table.js';
import type { MeterUsage } from './usage.model.js';
import {
  MeterUsageType,
  RecordUsageBatchResultType,
  RecordUsageInput,
  RecordUsageResultType,
  UsageCheckType,
  UsageGranularityEnum,
  UsagePointType,
} from './usage.types.js';

@Resolver()
export class UsageResolver {
  @Mutation(() => RecordUsageResultType, { description: 'Call-tracking service (usage:write): count one event, once per idempotency key.' })
  async recordUsage(@Ctx() ctx: RequestContext, @Arg('input', () => RecordUsageInput) input: RecordUsageInput): Promise<RecordUsageResultType> {
    requireUsageWriter(ctx.principal);
    return RecordUsageResultType.from(await ctx.services.usage.record(input));
  }

  @Mutation(() => RecordUsageBatchResultType, { description: 'Call-tracking service (usage:write): up to 1,000 events, one outcome each.' })
  async recordUsageBatch(@Ctx() ctx: RequestContext, @Arg('events', () => [RecordUsageInput]) events: RecordUsageInput[]): Promise<RecordUsageBatchResultType> {
    requireUsageWriter(ctx.principal);
    return RecordUsageBatchResultType.from(await ctx.services.usage.recordBatch(events));
  }

  @Query(() => UsageCheckType, { description: 'Call-tracking service (usage:write): would this quantity be admitted now? Counts nothing.' })
  async checkUsage(
    @Ctx() ctx: RequestContext,
    @Arg('businessId', () => ID) businessId: string,
    @Arg('meter', () => String) meter: string,
    @Arg('quantity', () => Int, { nullable: true, defaultValue: 1 }) quantity: number,
  ): Promise<UsageCheckType> {
    requireUsageWriter(ctx.principal);
    return UsageCheckType.from(await ctx.services.usage.check(businessId, meter, quantity ?? 1));
  }

  @Query(() => [UsagePointType], { description: 'The caller\'s business\'s usage of a meter per UTC day, zero-filled (at most 366 days).' })
  async usageSeries(
    @Ctx() ctx: RequestContext,
    @Arg('meter', () => String) meter: string,
    @Arg('from', () => DateTimeResolver) from: Date,
    @Arg('to', () => DateTimeResolver) to: Date,
    @Arg('granularity', () => UsageGranularityEnum, { defaultValue: UsageGranularityEnum.DAY }) _granularity: UsageGranularityEnum,
    @Arg('businessId', () => ID, { nullable: true, description: 'Operators only.' }) businessId?: string | null,
  ): Promise<UsagePointType[]> {
    const owner = requireBusinessReader(ctx.principal, businessId ?? undefined);
    const points = await ctx.services.usage.series(owner, meter, from, to);
    return points.map((p) => Object.assign(new UsagePointType(), p));
  }
}

/** One DataLoader per request, without touching the shared loaders: keyed by the request context. */
const usageLoaders = new WeakMap<RequestContext, DataLoader<SubscriptionRow, MeterUsage[], string>>();
function usageLoader(ctx: RequestContext) {
  let loader = usageLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((rows) => ctx.services.usage.usageOfMany(rows, (planId) => ctx.loaders.planById.load(planId)), {
      cacheKeyFn: (row) => `${row.id}|${row.currentPeriodStart.getTime()}`,
    });
    usageLoaders.set(ctx, loader);
  }
  return loader;
}

@Resolver(() => SubscriptionType)
export class SubscriptionUsageResolver {
  @FieldResolver(() => [MeterUsageType], { description: 'Every meter in the current period; included and remaining are null when unlimited.' })
  async usage(@Root() subscription: SubscriptionType, @Ctx() ctx: RequestContext): Promise<MeterUsageType[]> {
    return (await usageLoader(ctx).load(subscription.row)).map(MeterUsageType.from);
  }
}

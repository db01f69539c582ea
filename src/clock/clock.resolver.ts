import { DateTimeResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import { requireOperator } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';

@ObjectType('ClockState')
export class ClockStateType {
  @Field(() => DateTimeResolver)
  now!: Date;
}

@Resolver()
export class ClockResolver {
  @Mutation(() => ClockStateType, { description: 'Sandbox only, operators: move the billing clock forward (never back) and apply every transition due by then.' })
  async advanceClock(@Ctx() ctx: RequestContext, @Arg('to', () => DateTimeResolver) to: Date): Promise<ClockStateType> {
    const operator = requireOperator(ctx.principal);
    const now = await ctx.services.clock.advanceTo(to, operator.subject);
    // Everything due by the new time happens before the answer: renewals, trial ends, expiries.
    await ctx.services.lifecycle.applyDue(now);
    return Object.assign(new ClockStateType(), { now });
  }
}

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
  @Mutation(() => ClockStateType, { description: 'Sandbox only, operators: move the billing clock forward (never back).' })
  async advanceClock(@Ctx() ctx: RequestContext, @Arg('to', () => DateTimeResolver) to: Date): Promise<ClockStateType> {
    const operator = requireOperator(ctx.principal);
    return Object.assign(new ClockStateType(), { now: await ctx.services.clock.advanceTo(to, operator.subject) });
  }
}

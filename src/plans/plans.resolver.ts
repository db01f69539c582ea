import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { isOperator, requireOperator, requireReader } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';
import { CreatePlanInput, PlanType } from './plans.types.js';

@Resolver(() => PlanType)
export class PlanResolver {
  @Query(() => [PlanType], { description: 'The plan catalogue. Archived plans are listed for operators who ask.' })
  async plans(
    @Ctx() ctx: RequestContext,
    @Arg('includeArchived', () => Boolean, { defaultValue: false }) includeArchived: boolean,
  ): Promise<PlanType[]> {
    const principal = requireReader(ctx.principal);
    const plans = await ctx.services.plans.list({ includeArchived: includeArchived && isOperator(principal) });
    return plans.map(PlanType.from);
  }

  @Mutation(() => PlanType, { description: 'Operators: add a plan. Price and limits are fixed once created.' })
  async createPlan(@Ctx() ctx: RequestContext, @Arg('input', () => CreatePlanInput) input: CreatePlanInput): Promise<PlanType> {
    const operator = requireOperator(ctx.principal);
    return PlanType.from(await ctx.services.plans.create(input, operator.subject));
  }

  @Mutation(() => PlanType, { description: 'Operators: stop offering a plan. Its subscribers keep it.' })
  async archivePlan(@Ctx() ctx: RequestContext, @Arg('code', () => String) code: string): Promise<PlanType> {
    const operator = requireOperator(ctx.principal);
    return PlanType.from(await ctx.services.plans.archive(code, operator.subject));
  }
}

import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireBusinessReader, requireOperator } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';
import { CreatePromoCodeInput, PromoCodeType, PromoCodeValidationType } from './promotions.types.js';

@Resolver(() => PromoCodeType)
export class PromotionResolver {
  @Query(() => PromoCodeValidationType, {
    description: 'Whether the caller\'s business could redeem a code now, for planCode when given. Changes nothing.',
  })
  async validatePromoCode(
    @Ctx() ctx: RequestContext,
    @Arg('code', () => String) code: string,
    @Arg('planCode', () => String, { nullable: true }) planCode?: string | null,
  ): Promise<PromoCodeValidationType> {
    const businessId = requireBusinessReader(ctx.principal);
    return PromoCodeValidationType.from(await ctx.services.promotions.validate(code, { businessId, planCode }));
  }

  @Mutation(() => PromoCodeType, { description: 'Operators: add a promo code. Its terms are fixed once created.' })
  async createPromoCode(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => CreatePromoCodeInput) input: CreatePromoCodeInput,
  ): Promise<PromoCodeType> {
    const operator = requireOperator(ctx.principal);
    return PromoCodeType.from(await ctx.services.promotions.create(input, operator.subject));
  }

  @Mutation(() => PromoCodeType, { description: 'Operators: stop new redemptions of a code. Idempotent.' })
  async deactivatePromoCode(@Ctx() ctx: RequestContext, @Arg('code', () => String) code: string): Promise<PromoCodeType> {
    const operator = requireOperator(ctx.principal);
    return PromoCodeType.from(await ctx.services.promotions.deactivate(code, operator.subject));
  }
}

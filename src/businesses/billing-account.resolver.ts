import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { requireBusinessReader } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';
import { BillingAccountType } from './billing-account.types.js';

@Resolver(() => BillingAccountType)
export class BillingAccountResolver {
  @Query(() => BillingAccountType, {
    description: 'The caller\'s billing account. Operators name the business with businessId.',
  })
  billingAccount(
    @Ctx() ctx: RequestContext,
    @Arg('businessId', () => ID, { nullable: true }) businessId?: string,
  ): BillingAccountType {
    return BillingAccountType.of(requireBusinessReader(ctx.principal, businessId ?? undefined));
  }
}

import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { eq } from 'drizzle-orm';
import { BadUserInputError } from '../errors/errors.js';
import { recordHistory } from '../history/history.repo.js';
import { ensureBusiness } from './businesses.repo.js';
import { businesses } from './businesses.table.js';
import { requireBusinessReader, requireOperator } from '../auth/guards.js';
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

  @Mutation(() => BillingAccountType, { description: 'Operators: the business\'s exclusive tax rate in basis points (825 = 8.25%), for its next invoices.' })
  async setTaxRate(
    @Ctx() ctx: RequestContext,
    @Arg('businessId', () => ID) businessId: string,
    @Arg('basisPoints', () => Int) basisPoints: number,
  ): Promise<BillingAccountType> {
    const operator = requireOperator(ctx.principal);
    if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) {
      throw new BadUserInputError('basisPoints must be from 0 to 10000', 'basisPoints');
    }
    const { db, clock } = ctx.services;
    await db.transaction(async (tx) => {
      await ensureBusiness(tx, businessId, businessId);
      await tx.update(businesses).set({ taxRateBps: basisPoints }).where(eq(businesses.id, businessId));
      await recordHistory(tx, { businessId, type: 'account.tax_rate_set', description: `Tax rate set to ${basisPoints / 100}%`, actor: operator.subject, occurredAt: clock.now() });
    });
    return BillingAccountType.of(businessId);
  }
}

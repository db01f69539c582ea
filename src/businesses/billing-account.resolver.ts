import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { eq } from 'drizzle-orm';
import { BadUserInputError } from '../errors/errors.js';
import { recordHistory } from '../history/history.repo.js';
import { ensureBusiness } from './businesses.repo.js';
import { businesses } from './businesses.table.js';
import { requireBusinessManager, requireBusinessReader, requireOperator } from '../auth/guards.js';
import type { RequestContext } from '../graphql/context.js';
import { BillingAccountType } from './billing-account.types.js';

@Resolver(() => BillingAccountType)
export class BillingAccountResolver {
  @Query(() => BillingAccountType, {
    description: 'The caller\'s billing account. Operators name the business with businessId.',
  })
  async billingAccount(
    @Ctx() ctx: RequestContext,
    @Arg('businessId', () => ID, { nullable: true }) businessId?: string,
  ): Promise<BillingAccountType> {
    const id = requireBusinessReader(ctx.principal, businessId ?? undefined);
    const [business] = await ctx.services.db.select().from(businesses).where(eq(businesses.id, id));
    return Object.assign(BillingAccountType.of(id), { name: business?.name ?? null, email: business?.email ?? null });
  }

  @Mutation(() => BillingAccountType, { description: 'Owner or admin: the name and email for invoices, kept in sync with Stripe.' })
  async updateBillingDetails(
    @Ctx() ctx: RequestContext,
    @Arg('name', () => String) name: string,
    @Arg('email', () => String, { nullable: true }) email?: string | null,
  ): Promise<BillingAccountType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new BadUserInputError('name must be 1-200 characters', 'name');
    const normalizedEmail = email?.trim() || null;
    if (normalizedEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalizedEmail)) throw new BadUserInputError('email is not an email address', 'email');
    await ctx.services.customers.updateDetails(businessId, { name: trimmed, email: normalizedEmail }, actor, ctx.services.clock.now());
    return Object.assign(BillingAccountType.of(businessId), { name: trimmed, email: normalizedEmail });
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

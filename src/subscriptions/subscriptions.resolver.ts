import { eq } from 'drizzle-orm';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { isOperator, requireBusinessManager, requireBusinessReader, requirePrincipal } from '../auth/guards.js';
import { BillingAccountType } from '../businesses/billing-account.types.js';
import { businesses } from '../businesses/businesses.table.js';
import { NotFoundError } from '../errors/errors.js';
import type { RequestContext } from '../graphql/context.js';
import { MoneyType } from '../graphql/money.type.js';
import { decodeCursor, pageSize, toConnection } from '../graphql/pagination.js';
import { listHistory } from '../history/history.repo.js';
import { HistoryConnectionType, HistoryEntryType } from '../history/history.types.js';
import { listInvoices } from '../invoices/invoices.repo.js';
import { InvoiceConnectionType, InvoiceLineType, InvoiceType } from '../invoices/invoices.types.js';
import { PlanType } from '../plans/plans.types.js';
import {
  CancelSubscriptionInput,
  ChangePlanInput,
  ChangeTimingEnum,
  InvoicePreviewType,
  PendingChangeType,
  PlanChangePreviewType,
  SubscribeInput,
  SubscriptionType,
} from './subscriptions.types.js';

@Resolver(() => SubscriptionType)
export class SubscriptionResolver {
  @FieldResolver(() => PlanType)
  async plan(@Root() subscription: SubscriptionType, @Ctx() ctx: RequestContext): Promise<PlanType> {
    return PlanType.from((await ctx.loaders.planById.load(subscription.row.planId))!);
  }

  @FieldResolver(() => InvoiceType, { nullable: true })
  async latestInvoice(@Root() subscription: SubscriptionType, @Ctx() ctx: RequestContext): Promise<InvoiceType | null> {
    const id = subscription.row.latestInvoiceId;
    const invoice = id ? await ctx.services.invoices.get(ctx.services.db, subscription.row.businessId, id) : undefined;
    return invoice ? InvoiceType.from(invoice) : null;
  }

  @Mutation(() => SubscriptionType, { description: 'Start a subscription: a trial, a free plan, or a paid plan charged now.' })
  async subscribe(@Ctx() ctx: RequestContext, @Arg('input', () => SubscribeInput) input: SubscribeInput): Promise<SubscriptionType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return SubscriptionType.from(await ctx.services.subscriptions.subscribe(businessId, actor, input));
  }

  @Mutation(() => SubscriptionType, { description: 'Upgrade now (prorated) or downgrade at period end, or IMMEDIATELY with credit.' })
  async changePlan(@Ctx() ctx: RequestContext, @Arg('input', () => ChangePlanInput) input: ChangePlanInput): Promise<SubscriptionType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return SubscriptionType.from(await ctx.services.subscriptions.changePlan(businessId, actor, input));
  }

  @Mutation(() => SubscriptionType)
  async cancelSubscription(@Ctx() ctx: RequestContext, @Arg('input', () => CancelSubscriptionInput) input: CancelSubscriptionInput): Promise<SubscriptionType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return SubscriptionType.from(await ctx.services.subscriptions.cancel(businessId, actor, input));
  }

  @Mutation(() => SubscriptionType, { description: 'Withdraw a cancellation scheduled for the period end.' })
  async resumeSubscription(@Ctx() ctx: RequestContext): Promise<SubscriptionType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return SubscriptionType.from(await ctx.services.subscriptions.resume(businessId, actor));
  }

  @Mutation(() => SubscriptionType, { description: 'Apply a promo code to the live subscription\'s coming invoices.' })
  async redeemPromoCode(@Ctx() ctx: RequestContext, @Arg('code', () => String) code: string): Promise<SubscriptionType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return SubscriptionType.from(await ctx.services.subscriptions.redeemPromoCode(businessId, actor, code));
  }

  @Query(() => PlanChangePreviewType, { description: 'Exactly what changePlan would charge, line by line; writes nothing.' })
  async previewPlanChange(
    @Ctx() ctx: RequestContext,
    @Arg('planCode', () => String) planCode: string,
    @Arg('timing', () => ChangeTimingEnum, { nullable: true }) timing?: ChangeTimingEnum | null,
  ): Promise<PlanChangePreviewType> {
    const businessId = requireBusinessReader(ctx.principal);
    const preview = await ctx.services.subscriptions.previewChange(businessId, { planCode, timing });
    const subscription = (await ctx.services.subscriptions.current(ctx.services.db, businessId))!;
    const currency = preview.draft?.currency ?? (await ctx.loaders.planById.load(subscription.planId))!.price.currency;
    return Object.assign(new PlanChangePreviewType(), {
      effectiveAt: preview.effectiveAt,
      amountDueNow: MoneyType.of({ amount: preview.draft?.amountDue ?? 0, currency }),
      lines: (preview.draft?.lines ?? []).map((line) => InvoiceLineType.from(line, currency)),
    });
  }

  @Query(() => InvoiceType, { description: 'One invoice of the caller\'s business (operators: any).' })
  async invoice(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('businessId', () => ID, { nullable: true }) businessId?: string): Promise<InvoiceType> {
    const principal = requirePrincipal(ctx.principal);
    // Operators read any business's invoice by its id alone.
    const invoice =
      isOperator(principal) && !businessId
        ? await ctx.services.invoices.getAnyBusiness(id)
        : await ctx.services.invoices.get(ctx.services.db, requireBusinessReader(principal, businessId ?? undefined), id);
    if (!invoice) throw new NotFoundError(`Invoice "${id}"`);
    return InvoiceType.from(invoice);
  }

  @Mutation(() => InvoiceType, { description: 'Charge an open invoice now; a paid invoice charges nothing.' })
  async payInvoice(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<InvoiceType> {
    const { businessId, actor } = requireBusinessManager(ctx.principal);
    return InvoiceType.from(await ctx.services.invoices.pay(businessId, id, actor));
  }
}

@Resolver(() => PendingChangeType)
export class PendingChangeResolver {
  @FieldResolver(() => PlanType)
  async plan(@Root() change: PendingChangeType, @Ctx() ctx: RequestContext): Promise<PlanType> {
    return PlanType.from((await ctx.loaders.planById.load(change.planId))!);
  }
}

@Resolver(() => BillingAccountType)
export class BillingAccountSubscriptionResolver {
  @FieldResolver(() => SubscriptionType, { nullable: true, description: 'The live subscription, else the most recent one.' })
  async subscription(@Root() account: BillingAccountType, @Ctx() ctx: RequestContext): Promise<SubscriptionType | null> {
    const row = await ctx.services.subscriptions.current(ctx.services.db, account.id);
    return row ? SubscriptionType.from(row) : null;
  }

  @FieldResolver(() => MoneyType, { description: 'Credit from unused time, spent by the next invoices.' })
  async creditBalance(@Root() account: BillingAccountType, @Ctx() ctx: RequestContext): Promise<MoneyType> {
    const [business] = await ctx.services.db.select().from(businesses).where(eq(businesses.id, account.id));
    return MoneyType.of({ amount: business?.creditBalance ?? 0, currency: business?.creditCurrency ?? 'usd' });
  }

  @FieldResolver(() => InvoicePreviewType, { nullable: true, description: 'What the next renewal will charge.' })
  async upcomingInvoice(@Root() account: BillingAccountType, @Ctx() ctx: RequestContext): Promise<InvoicePreviewType | null> {
    const draft = await ctx.services.subscriptions.upcomingInvoice(ctx.services.db, account.id);
    return draft ? InvoicePreviewType.from(draft) : null;
  }

  @FieldResolver(() => InvoiceConnectionType, { description: 'Newest first.' })
  async invoices(
    @Root() account: BillingAccountType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<InvoiceConnectionType> {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const rows = await listInvoices(ctx.services.db, account.id, size + 1, cursor && { createdAt: cursor.at, sequence: Number(cursor.id) });
    return toConnection(rows, size, (row) => ({ at: row.createdAt, id: String(row.sequence) }), InvoiceType.from);
  }

  @FieldResolver(() => HistoryConnectionType, { description: 'Every change to the account, newest first.' })
  async history(
    @Root() account: BillingAccountType,
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<HistoryConnectionType> {
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const rows = await listHistory(ctx.services.db, account.id, size + 1, cursor && { occurredAt: cursor.at, seq: Number(cursor.id) });
    return toConnection(rows, size, (row) => ({ at: row.occurredAt, id: String(row.seq) }), HistoryEntryType.from);
  }
}

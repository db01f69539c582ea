import { eq } from 'drizzle-orm';
import { ensureBusiness } from '../businesses/businesses.repo.js';
import { businesses } from '../businesses/businesses.table.js';
import type { Clock } from '../clock/clock.js';
import type { Database, Db, Tx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { AppError, BadUserInputError, ConflictError, NotFoundError } from '../errors/errors.js';
import { recordHistory } from '../history/history.repo.js';
import { composeInvoice, prorate, type DraftLine, type InvoiceDraft } from '../invoices/invoice-math.js';
import type { InvoiceService } from '../invoices/invoices.service.js';
import type { InvoiceRow } from '../invoices/invoices.table.js';
import type { Logger } from '../log/logger.js';
import { formatMoney } from '../money/money.js';
import type { PaymentMethodService } from '../payments/payment-methods.service.js';
import type { DiscountSnapshot } from '../promotions/promotions.model.js';
import { discountAmount, discountAppliesTo } from '../promotions/promotions.rules.js';
import type { PromotionService } from '../promotions/promotions.service.js';
import * as paymentMethodsRepo from '../payments/payment-methods.repo.js';
import type { Plan } from '../plans/plans.model.js';
import { findPlanByCode, findPlanById } from '../plans/plans.repo.js';
import { addDays, periodEnd } from '../lifecycle/periods.js';
import * as repo from './subscriptions.repo.js';
import type { SubscriptionRow } from './subscriptions.table.js';

/** OVERAGE lines for a subscription's usage in a period (the usage module computes them). */
export type OverageSource = (db: Db, subscription: SubscriptionRow, plan: Plan, periodStart: Date, periodEnd: Date) => Promise<DraftLine[]>;

/** A 3-D Secure first payment must succeed within this, or the subscription ends (Stripe: 23 hours). */
const INCOMPLETE_EXPIRY_HOURS = 23;

export type ChangeTiming = 'immediately' | 'period_end';

export interface PlanChangePreview {
  effectiveAt: Date;
  draft: InvoiceDraft | undefined;
}

const annualized = (plan: Plan) => plan.price.amount * (plan.interval === 'year' ? 1 : 12);

/** Errors that belong to one request and may be retried with the same key once fixed. */
const RETRYABLE = new Set(['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'PROMO_CODE_INVALID', 'INTERNAL_SERVER_ERROR']);

/**
 * The subscription lifecycle: subscribe (trial, free, paid with a first charge), plan changes with
 * proration, cancellation and resumption. Each action reads the clock once, computes with pure
 * functions, checks, then writes in one transaction holding the business row lock, so concurrent
 * changes to one business's subscription never interleave.
 */
export class SubscriptionService {
  constructor(
    private readonly db: Database,
    private readonly invoices: InvoiceService,
    private readonly paymentMethods: PaymentMethodService,
    private readonly promotions: PromotionService,
    private readonly overage: OverageSource,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    invoices.onPaid((tx, invoice, actor) => this.activateAfterPayment(tx, invoice, actor));
  }

  current(db: Db, businessId: string): Promise<SubscriptionRow | undefined> {
    return repo.findCurrent(db, businessId);
  }

  async subscribe(
    businessId: string,
    actor: string,
    input: { planCode: string; paymentMethodId?: string | null; promoCode?: string | null; idempotencyKey?: string | null },
  ): Promise<SubscriptionRow> {
    return this.idempotent(businessId, input.idempotencyKey, 'subscribe', () => this.subscribeOnce(businessId, actor, input));
  }

  private async subscribeOnce(
    businessId: string,
    actor: string,
    input: { planCode: string; paymentMethodId?: string | null; promoCode?: string | null },
  ): Promise<SubscriptionRow> {
    const now = this.clock.now();
    const plan = await this.activePlan(input.planCode);
    await ensureBusiness(this.db, businessId, businessId);
    if (input.paymentMethodId) await this.useCard(businessId, input.paymentMethodId, actor);

    const { subscription, invoice } = await this.db.transaction(async (tx) => {
      await this.lockBusiness(tx, businessId);
      if (await repo.findLive(tx, businessId)) throw new ConflictError('The business already has a subscription; change its plan instead');
      const trial = plan.trialDays > 0 && !(await repo.hadTrial(tx, businessId));
      const paid = plan.price.amount > 0;
      if (paid && !trial && !(await this.hasDefaultCard(tx, businessId))) {
        throw new BadUserInputError('A paid plan needs a payment method: attach one or pass paymentMethodId', 'paymentMethodId');
      }
      const trialEnd = trial ? addDays(now, plan.trialDays) : null;
      const anchor = trialEnd ?? now;
      let subscription = await repo.insertSubscription(tx, {
        businessId,
        planId: plan.id,
        status: trial ? 'trialing' : paid ? 'incomplete' : 'active',
        billingAnchor: anchor,
        periodIndex: trial ? -1 : 0,
        currentPeriodStart: now,
        currentPeriodEnd: trialEnd ?? periodEnd(anchor, plan.interval, 0),
        trialEndsAt: trialEnd,
        incompleteExpiresAt: !trial && paid ? new Date(now.getTime() + INCOMPLETE_EXPIRY_HOURS * 3_600_000) : null,
        createdAt: now,
      });
      await recordHistory(tx, {
        businessId,
        type: 'subscription.created',
        description: trial
          ? `Subscribed to ${plan.name} with a ${plan.trialDays}-day trial ending ${trialEnd!.toISOString().slice(0, 10)}`
          : `Subscribed to ${plan.name} at ${formatMoney(plan.price)} per ${plan.interval}`,
        actor,
        subjectId: subscription.id,
        data: { planCode: plan.code, status: subscription.status },
        occurredAt: now,
      });
      if (input.promoCode) subscription = await this.applyPromoCode(tx, subscription, plan, input.promoCode, actor, now);
      if (trial || !paid) return { subscription, invoice: undefined };
      const draft = await this.draftFor(tx, businessId, [this.subscriptionLine(plan, subscription.currentPeriodStart, subscription.currentPeriodEnd)], plan.price.currency, subscription);
      const invoice = await this.invoices.finalize(tx, { businessId, subscriptionId: subscription.id, billingReason: 'subscription_create', draft, actor, now });
      subscription = await noteInvoice(tx, subscription, invoice);
      return { subscription: (await repo.findById(tx, subscription.id))!, invoice };
    });
    if (!invoice || invoice.status !== 'open') return (await repo.findById(this.db, subscription.id))!;
    return this.chargeFirstInvoice(subscription, invoice, actor);
  }

  /** The first invoice of a paid plan: success activates; a decline ends the subscription; 3-D Secure leaves it INCOMPLETE. */
  private async chargeFirstInvoice(subscription: SubscriptionRow, invoice: InvoiceRow, actor: string): Promise<SubscriptionRow> {
    const { outcome } = await this.invoices.collect(invoice.id, actor, { offSession: false });
    if (outcome.status === 'failed') {
      const now = this.clock.now();
      await this.db.transaction(async (tx) => {
        await this.invoices.voidInvoice(tx, invoice, 'the first payment was declined', 'system', now);
        await this.end(tx, subscription.id, now, 'first payment declined', 'system');
      });
      throw new AppError('PAYMENT_FAILED', outcome.message, { declineCode: outcome.declineCode });
    }
    if (outcome.status === 'requires_action') {
      throw new AppError('PAYMENT_ACTION_REQUIRED', 'The card needs 3-D Secure authentication to start the subscription', {
        clientSecret: outcome.clientSecret,
        subscriptionId: subscription.id,
      });
    }
    return (await repo.findById(this.db, subscription.id))!;
  }

  /**
   * What the next renewal would charge, from the same code that will charge it: the next period of
   * the plan (or of the pending downgrade), with tax and credit. None when nothing will renew.
   */
  async upcomingInvoice(db: Db, businessId: string): Promise<InvoiceDraft | undefined> {
    const subscription = await repo.findLive(db, businessId);
    if (!subscription || subscription.cancelAtPeriodEnd) return undefined;
    const current = (await findPlanById(db, subscription.planId))!;
    const next = subscription.pendingPlanId ? (await findPlanById(db, subscription.pendingPlanId))! : current;
    const lines = await this.renewalLines(db, subscription, current, next);
    return lines.length ? this.draftFor(db, businessId, lines, next.price.currency, subscription) : undefined;
  }

  /**
   * The lines of the invoice that closes the current period: the overage of the period that ends
   * (on the plan it was on) and the next period of the next plan.
   */
  private async renewalLines(db: Db, subscription: SubscriptionRow, current: Plan, next: Plan): Promise<DraftLine[]> {
    const closing = subscription.status === 'trialing' ? [] : await this.overage(db, subscription, current, subscription.currentPeriodStart, subscription.currentPeriodEnd);
    const { start, end } = nextPeriod(subscription, current, next);
    return next.price.amount > 0 ? [...closing, this.subscriptionLine(next, start, end)] : closing;
  }

  /**
   * Every transition of one subscription due by `now`, period after period: a 3-D Secure first payment
   * never completed ends it; a trial end or period end renews it (pending downgrade applied, overage of
   * the closed period and the next period invoiced) or ends it when cancellation was scheduled.
   * Answers the invoices to collect.
   */
  async applyDueTransitions(subscriptionId: string, now: Date): Promise<InvoiceRow[]> {
    return this.db.transaction(async (tx) => {
      const first = await repo.findById(tx, subscriptionId);
      if (!first) return [];
      await this.lockBusiness(tx, first.businessId);
      await repo.lockById(tx, subscriptionId);
      const toCollect: InvoiceRow[] = [];
      for (;;) {
        const subscription = (await repo.findById(tx, subscriptionId))!;
        if (subscription.status === 'canceled') break;
        if (subscription.status === 'incomplete') {
          if (subscription.incompleteExpiresAt && subscription.incompleteExpiresAt <= now) {
            const unpaid = subscription.latestInvoiceId ? await this.invoices.get(tx, subscription.businessId, subscription.latestInvoiceId) : undefined;
            if (unpaid) await this.invoices.voidInvoice(tx, unpaid, 'the first payment was never completed', 'system', now);
            await this.end(tx, subscription.id, subscription.incompleteExpiresAt, 'first payment not completed within 23 hours', 'system');
          }
          break;
        }
        const boundary = subscription.status === 'trialing' ? subscription.trialEndsAt! : subscription.currentPeriodEnd;
        if (boundary > now) break;
        const invoice = await this.closePeriod(tx, subscription, boundary);
        if (invoice?.status === 'open') toCollect.push(invoice);
      }
      return toCollect;
    });
  }

  /** The invoice for the usage above the plan from the period start until `until`, when there is any. */
  private async finalUsageInvoice(tx: Tx, subscription: SubscriptionRow, plan: Plan, until: Date, actor: string): Promise<InvoiceRow | undefined> {
    const overage = billsUsage(subscription) ? await this.overage(tx, subscription, plan, subscription.currentPeriodStart, until) : [];
    if (overage.length === 0) return undefined;
    const draft = await this.draftFor(tx, subscription.businessId, overage, plan.price.currency, subscription);
    return this.invoices.finalize(tx, { businessId: subscription.businessId, subscriptionId: subscription.id, billingReason: 'subscription_final', draft, actor, now: until });
  }

  private async closePeriod(tx: Tx, subscription: SubscriptionRow, boundary: Date): Promise<InvoiceRow | undefined> {
    const current = (await findPlanById(tx, subscription.planId))!;
    const { businessId } = subscription;
    if (subscription.cancelAtPeriodEnd) {
      const invoice = await this.finalUsageInvoice(tx, subscription, current, boundary, 'system');
      await this.end(tx, subscription.id, boundary, subscription.cancellationReason ?? 'canceled at the period end', 'system');
      return invoice;
    }
    const next = subscription.pendingPlanId ? (await findPlanById(tx, subscription.pendingPlanId))! : current;
    const lines = await this.renewalLines(tx, subscription, current, next);
    const { start, end, anchor, index } = nextPeriod(subscription, current, next);
    const wasTrial = subscription.status === 'trialing';
    await repo.updateSubscription(tx, subscription.id, {
      planId: next.id,
      pendingPlanId: null,
      pendingChangeAt: null,
      billingAnchor: anchor,
      periodIndex: index,
      currentPeriodStart: start,
      currentPeriodEnd: end,
      status: wasTrial ? 'active' : subscription.status,
      version: subscription.version + 1,
    });
    await recordHistory(tx, {
      businessId,
      type: wasTrial ? 'subscription.trial_ended' : 'subscription.renewed',
      description: `${wasTrial ? 'Trial ended' : 'Renewed'}: ${next.name} from ${start.toISOString().slice(0, 10)} to ${end.toISOString().slice(0, 10)}${next.id !== current.id ? ` (changed from ${current.name})` : ''}`,
      actor: 'system',
      subjectId: subscription.id,
      occurredAt: boundary,
    });
    if (lines.length === 0) return undefined;
    const draft = await this.draftFor(tx, businessId, lines, next.price.currency, subscription);
    const invoice = await this.invoices.finalize(tx, { businessId, subscriptionId: subscription.id, billingReason: 'subscription_cycle', draft, actor: 'system', now: boundary });
    await noteInvoice(tx, subscription, invoice);
    return invoice;
  }

  /** A renewal charge that failed: the subscription is PAST_DUE until an invoice is paid. */
  async markPastDue(invoice: InvoiceRow, declineCode: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const subscription = invoice.subscriptionId ? await repo.findById(tx, invoice.subscriptionId) : undefined;
      if (!subscription || subscription.status !== 'active') return;
      await repo.updateSubscription(tx, subscription.id, { status: 'past_due', version: subscription.version + 1 });
      await recordHistory(tx, { businessId: subscription.businessId, type: 'subscription.past_due', description: `Renewal payment for invoice ${invoice.number} failed (${declineCode}): past due`, actor: 'system', subjectId: subscription.id, occurredAt: now });
    });
  }

  async cancel(businessId: string, actor: string, input: { atPeriodEnd: boolean; reason?: string | null }): Promise<SubscriptionRow> {
    const now = this.clock.now();
    const { ended, finalInvoice } = await this.db.transaction(async (tx) => {
      await this.lockBusiness(tx, businessId);
      const subscription = await repo.findLive(tx, businessId);
      if (!subscription) throw new NotFoundError('Subscription');
      await repo.lockById(tx, subscription.id); // the usage so far is final once this holds
      if (input.atPeriodEnd) {
        if (subscription.cancelAtPeriodEnd) return { ended: subscription, finalInvoice: undefined };
        const updated = await repo.updateSubscription(tx, subscription.id, {
          cancelAtPeriodEnd: true,
          canceledAt: now,
          cancellationReason: input.reason ?? null,
          pendingPlanId: null,
          pendingChangeAt: null,
          version: subscription.version + 1,
        });
        await recordHistory(tx, {
          businessId,
          type: 'subscription.cancel_scheduled',
          description: `Cancellation scheduled for the period end, ${subscription.currentPeriodEnd.toISOString().slice(0, 10)}${input.reason ? `: ${input.reason}` : ''}`,
          actor,
          subjectId: subscription.id,
          occurredAt: now,
        });
        return { ended: updated, finalInvoice: undefined };
      }
      if (subscription.latestInvoiceId && subscription.status === 'incomplete') {
        const unpaid = await this.invoices.get(tx, businessId, subscription.latestInvoiceId);
        if (unpaid) await this.invoices.voidInvoice(tx, unpaid, 'the subscription was canceled before its first payment', actor, now);
      }
      // No refund, but the usage so far is invoiced.
      const plan = (await findPlanById(tx, subscription.planId))!;
      const finalInvoice = await this.finalUsageInvoice(tx, subscription, plan, now, actor);
      return { ended: await this.end(tx, subscription.id, now, input.reason ?? 'canceled at once', actor), finalInvoice };
    });
    if (finalInvoice?.status === 'open') {
      await this.invoices.collect(finalInvoice.id, actor, { offSession: false }).catch((error: unknown) => {
        // The invoice stays open for payInvoice; the cancellation stands.
        this.log.warn({ err: error, invoiceId: finalInvoice.id }, 'final usage invoice not collected');
      });
    }
    return ended;
  }

  async resume(businessId: string, actor: string): Promise<SubscriptionRow> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      await this.lockBusiness(tx, businessId);
      const subscription = await repo.findLive(tx, businessId);
      if (!subscription) throw new NotFoundError('Subscription');
      if (!subscription.cancelAtPeriodEnd) return subscription;
      const updated = await repo.updateSubscription(tx, subscription.id, {
        cancelAtPeriodEnd: false,
        canceledAt: null,
        cancellationReason: null,
        version: subscription.version + 1,
      });
      await recordHistory(tx, { businessId, type: 'subscription.resumed', description: 'Scheduled cancellation withdrawn', actor, subjectId: subscription.id, occurredAt: now });
      return updated;
    });
  }

  async previewChange(businessId: string, input: { planCode: string; timing?: ChangeTiming | null }): Promise<PlanChangePreview> {
    const now = this.clock.now();
    const subscription = await repo.findLive(this.db, businessId);
    if (!subscription) throw new NotFoundError('Subscription');
    const plan = await this.activePlan(input.planCode);
    const current = (await findPlanById(this.db, subscription.planId))!;
    return this.computeChange(this.db, businessId, subscription, current, plan, input.timing ?? undefined, now);
  }

  async changePlan(
    businessId: string,
    actor: string,
    input: { planCode: string; timing?: ChangeTiming | null; idempotencyKey?: string | null },
  ): Promise<SubscriptionRow> {
    return this.idempotent(businessId, input.idempotencyKey, 'changePlan', () => this.changePlanOnce(businessId, actor, input));
  }

  private async changePlanOnce(businessId: string, actor: string, input: { planCode: string; timing?: ChangeTiming | null }): Promise<SubscriptionRow> {
    const now = this.clock.now();
    const plan = await this.activePlan(input.planCode);
    const { subscription, invoice, previous } = await this.db.transaction(async (tx) => {
      await this.lockBusiness(tx, businessId);
      const subscription = await repo.findLive(tx, businessId);
      if (!subscription) throw new NotFoundError('Subscription');
      const current = (await findPlanById(tx, subscription.planId))!;
      const change = await this.computeChange(tx, businessId, subscription, current, plan, input.timing ?? undefined, now);
      const note = { previousPlan: current.code, plan: plan.code };
      if (subscription.status === 'trialing') {
        const updated = await repo.updateSubscription(tx, subscription.id, { planId: plan.id, pendingPlanId: null, pendingChangeAt: null, version: subscription.version + 1 });
        await recordHistory(tx, { businessId, type: 'subscription.plan_changed', description: `Plan changed from ${current.name} to ${plan.name} during the trial, no charge`, actor, subjectId: subscription.id, data: note, occurredAt: now });
        return { subscription: updated, invoice: undefined, previous: subscription };
      }
      if (!change.draft) {
        const updated = await repo.updateSubscription(tx, subscription.id, { pendingPlanId: plan.id, pendingChangeAt: change.effectiveAt, version: subscription.version + 1 });
        await recordHistory(tx, { businessId, type: 'subscription.change_scheduled', description: `Change from ${current.name} to ${plan.name} scheduled for ${change.effectiveAt.toISOString().slice(0, 10)}`, actor, subjectId: subscription.id, data: note, occurredAt: now });
        return { subscription: updated, invoice: undefined, previous: subscription };
      }
      const intervalChanged = plan.interval !== current.interval;
      const updated = await repo.updateSubscription(tx, subscription.id, {
        planId: plan.id,
        pendingPlanId: null,
        pendingChangeAt: null,
        ...(intervalChanged ? { billingAnchor: now, periodIndex: 0, currentPeriodStart: now, currentPeriodEnd: periodEnd(now, plan.interval, 0) } : {}),
        version: subscription.version + 1,
      });
      const invoice = await this.invoices.finalize(tx, { businessId, subscriptionId: subscription.id, billingReason: 'subscription_update', draft: change.draft, actor, now });
      await noteInvoice(tx, subscription, invoice);
      await recordHistory(tx, { businessId, type: 'subscription.plan_changed', description: `Plan changed from ${current.name} to ${plan.name}; invoice ${invoice.number} for ${formatMoney({ amount: invoice.amountDue, currency: invoice.currency })}`, actor, subjectId: subscription.id, data: note, occurredAt: now });
      return { subscription: updated, invoice, previous: subscription };
    });
    if (invoice && invoice.status === 'open') {
      const { outcome } = await this.invoices.collect(invoice.id, actor, { offSession: false });
      if (outcome.status === 'failed' || outcome.status === 'requires_action') {
        await this.revertChange(previous, invoice, actor);
        if (outcome.status === 'failed') throw new AppError('PAYMENT_FAILED', outcome.message, { declineCode: outcome.declineCode });
        throw new AppError('PAYMENT_ACTION_REQUIRED', 'The card needs 3-D Secure authentication', { clientSecret: outcome.clientSecret });
      }
    }
    return (await repo.findById(this.db, subscription.id))!;
  }

  /** A failed upgrade payment leaves the old plan in place; the unpaid proration invoice is voided. */
  private async revertChange(previous: SubscriptionRow, invoice: InvoiceRow, actor: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await this.invoices.voidInvoice(tx, invoice, 'the upgrade payment did not succeed', 'system', now);
      const { id, businessId, planId, billingAnchor, periodIndex, currentPeriodStart, currentPeriodEnd, latestInvoiceId } = previous;
      await repo.updateSubscription(tx, id, { planId, billingAnchor, periodIndex, currentPeriodStart, currentPeriodEnd, latestInvoiceId, version: previous.version + 2 });
      await recordHistory(tx, { businessId, type: 'subscription.plan_change_reverted', description: 'Upgrade payment did not succeed: the previous plan stays', actor, subjectId: id, occurredAt: now });
    });
  }

  /**
   * What a change would do, from the same code that does it. An upgrade (a higher yearly price) or an
   * IMMEDIATELY downgrade applies now: credit for the unused time of the old price, charge for the
   * remaining time of the new one, by the second, each line rounded once half to even. When the
   * interval changes, the new plan starts a fresh period now and is charged in full. A downgrade
   * waits for the period end unless IMMEDIATELY.
   */
  private async computeChange(
    db: Db,
    businessId: string,
    subscription: SubscriptionRow,
    current: Plan,
    plan: Plan,
    timing: ChangeTiming | undefined,
    now: Date,
  ): Promise<PlanChangePreview> {
    if (plan.id === current.id) throw new BadUserInputError(`The subscription is already on ${plan.code}`, 'planCode');
    if (plan.price.currency !== current.price.currency) throw new BadUserInputError('Plans in another currency cannot be switched to', 'planCode');
    if (subscription.status === 'trialing') return { effectiveAt: now, draft: undefined };
    const upgrade = annualized(plan) >= annualized(current);
    const applyNow = timing === 'immediately' || (timing === undefined && upgrade);
    if (!applyNow) return { effectiveAt: subscription.currentPeriodEnd, draft: undefined };

    const { currentPeriodStart: start, currentPeriodEnd: end } = subscription;
    const lines: DraftLine[] = [];
    const credit = prorate(current.price.amount, now, start, end);
    if (credit > 0) {
      lines.push({ kind: 'proration', description: `Unused time on ${current.name}`, quantity: 1, unitAmount: -credit, amount: -credit, periodStart: now, periodEnd: end });
    }
    if (plan.interval !== current.interval) {
      lines.push(this.subscriptionLine(plan, now, periodEnd(now, plan.interval, 0)));
    } else {
      const charge = prorate(plan.price.amount, now, start, end);
      lines.push({ kind: 'proration', description: `Remaining time on ${plan.name}`, quantity: 1, unitAmount: charge, amount: charge, periodStart: now, periodEnd: end });
    }
    return { effectiveAt: now, draft: await this.draftFor(db, businessId, lines, plan.price.currency, subscription) };
  }

  private subscriptionLine(plan: Plan, periodStart: Date, periodEnd: Date): DraftLine {
    return { kind: 'subscription', description: `${plan.name} (${formatMoney(plan.price)} per ${plan.interval})`, quantity: 1, unitAmount: plan.price.amount, amount: plan.price.amount, periodStart, periodEnd };
  }

  private async draftFor(
    db: Db,
    businessId: string,
    chargeLines: DraftLine[],
    currency: string,
    subscription?: Pick<SubscriptionRow, 'discount' | 'discountUses'>,
  ): Promise<InvoiceDraft> {
    const [business] = await db.select().from(businesses).where(eq(businesses.id, businessId));
    const creditBalance = business!.creditCurrency === null || business!.creditCurrency === currency ? business!.creditBalance : 0;
    const periodStart = chargeLines.reduce((min, l) => (l.periodStart < min ? l.periodStart : min), chargeLines[0]!.periodStart);
    const periodEnd = chargeLines.reduce((max, l) => (l.periodEnd > max ? l.periodEnd : max), chargeLines[0]!.periodEnd);
    const subtotal = { amount: chargeLines.reduce((sum, l) => sum + l.amount, 0), currency };
    const discount = subscription?.discount ? revive(subscription.discount) : undefined;
    const applies = discount && discountAppliesTo(discount.schedule, { isFirstInvoice: subscription!.discountUses === 0, periodStart });
    return composeInvoice({
      currency,
      periodStart,
      periodEnd,
      chargeLines,
      discount: applies ? { amount: discountAmount(discount, subtotal), description: `Promo code ${discount.code.toUpperCase()}` } : undefined,
      taxRateBps: business!.taxRateBps,
      creditBalance,
    });
  }

  /** `redeemPromoCode`: one discount per subscription, for its coming invoices. */
  async redeemPromoCode(businessId: string, actor: string, code: string): Promise<SubscriptionRow> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      await this.lockBusiness(tx, businessId);
      const subscription = await repo.findLive(tx, businessId);
      if (!subscription) throw new NotFoundError('Subscription');
      const plan = (await findPlanById(tx, subscription.planId))!;
      return this.applyPromoCode(tx, subscription, plan, code, actor, now);
    });
  }

  private async applyPromoCode(tx: Tx, subscription: SubscriptionRow, plan: Plan, code: string, actor: string, now: Date): Promise<SubscriptionRow> {
    if (subscription.discount) throw new ConflictError('The subscription already has a discount; one discount per subscription');
    const discount = await this.promotions.redeem(tx, { code, businessId: subscription.businessId, planCode: plan.code, subscriptionId: subscription.id, now });
    const terms = discount.percentOff !== null ? `${discount.percentOff}% off` : `${formatMoney(discount.amountOff!)} off`;
    await recordHistory(tx, {
      businessId: subscription.businessId,
      type: 'discount.applied',
      description: `Promo code ${discount.code.toUpperCase()} applied: ${terms} (${discount.duration}${discount.durationInMonths ? `, ${discount.durationInMonths} months` : ''})`,
      actor,
      subjectId: subscription.id,
      occurredAt: now,
    });
    return repo.updateSubscription(tx, subscription.id, { discount, discountUses: 0, version: subscription.version + 1 });
  }

  /** In the transaction that marks an invoice paid: INCOMPLETE or PAST_DUE becomes ACTIVE. */
  private async activateAfterPayment(tx: Tx, invoice: InvoiceRow, actor: string): Promise<void> {
    if (!invoice.subscriptionId) return;
    const subscription = await repo.findById(tx, invoice.subscriptionId);
    if (!subscription || !['incomplete', 'past_due', 'unpaid'].includes(subscription.status)) return;
    await repo.updateSubscription(tx, subscription.id, { status: 'active', incompleteExpiresAt: null, graceEndsAt: null, version: subscription.version + 1 });
    await recordHistory(tx, { businessId: subscription.businessId, type: 'subscription.activated', description: `Subscription active: invoice ${invoice.number} paid`, actor, subjectId: subscription.id, occurredAt: this.clock.now() });
  }

  private async end(tx: Tx, subscriptionId: string, now: Date, reason: string, actor: string): Promise<SubscriptionRow> {
    const subscription = (await repo.findById(tx, subscriptionId))!;
    const ended = await repo.updateSubscription(tx, subscriptionId, {
      status: 'canceled',
      canceledAt: subscription.canceledAt ?? now,
      endedAt: now,
      cancelAtPeriodEnd: false,
      cancellationReason: reason,
      pendingPlanId: null,
      pendingChangeAt: null,
      version: subscription.version + 1,
    });
    await recordHistory(tx, { businessId: subscription.businessId, type: 'subscription.canceled', description: `Subscription ended: ${reason}`, actor, subjectId: subscriptionId, occurredAt: now });
    return ended;
  }

  private async activePlan(code: string): Promise<Plan> {
    const plan = await findPlanByCode(this.db, code.trim().toLowerCase());
    if (!plan) throw new NotFoundError(`Plan "${code}"`);
    if (!plan.active) throw new BadUserInputError(`Plan "${plan.code}" is no longer offered`, 'planCode');
    return plan;
  }

  private async useCard(businessId: string, paymentMethodId: string, actor: string): Promise<void> {
    const known = await paymentMethodsRepo.findActive(this.db, businessId, paymentMethodId);
    if (known) {
      if (!known.isDefault) await this.paymentMethods.setDefault(businessId, known.id, actor);
      return;
    }
    await this.paymentMethods.attach(businessId, paymentMethodId, true, actor);
  }

  private async hasDefaultCard(db: Db, businessId: string): Promise<boolean> {
    return (await paymentMethodsRepo.listActive(db, businessId)).some((m) => m.isDefault);
  }

  /** Serialises every change to one business's billing: the loser waits, then sees the winner's result. */
  private async lockBusiness(tx: Tx, businessId: string): Promise<void> {
    await tx.select({ id: businesses.id }).from(businesses).where(eq(businesses.id, businessId)).for('update');
  }

  /**
   * Runs a money-moving mutation once per (business, idempotency key). A repeat gets the first
   * answer: the subscription, or the payment error; a request still running answers CONFLICT.
   */
  private async idempotent(
    businessId: string,
    key: string | null | undefined,
    operation: string,
    run: () => Promise<SubscriptionRow>,
  ): Promise<SubscriptionRow> {
    if (!key) return run();
    await ensureBusiness(this.db, businessId, businessId);
    const earlier = await repo.claimIdempotencyKey(this.db, { businessId, key, operation, now: this.clock.now() });
    if (earlier) {
      if (earlier.operation !== operation) throw new BadUserInputError(`idempotencyKey "${key}" was used for ${earlier.operation}`, 'idempotencyKey');
      if (earlier.error) {
        const stored = JSON.parse(earlier.error) as { code: AppError['code']; message: string; extensions: Record<string, unknown> };
        throw new AppError(stored.code, stored.message, stored.extensions);
      }
      if (earlier.subscriptionId) return (await repo.findById(this.db, earlier.subscriptionId))!;
      throw new ConflictError(`A request with idempotencyKey "${key}" is still running`);
    }
    try {
      const subscription = await run();
      await repo.settleIdempotencyKey(this.db, { businessId, key, subscriptionId: subscription.id });
      return subscription;
    } catch (error) {
      if (error instanceof AppError && !RETRYABLE.has(error.code)) {
        await repo.settleIdempotencyKey(this.db, { businessId, key, error: JSON.stringify({ code: error.code, message: error.message, extensions: error.extensions }) });
      } else {
        await repo.releaseIdempotencyKey(this.db, businessId, key);
      }
      if (isUniqueViolation(error, 'subscriptions_one_live_per_business')) throw new ConflictError('The business already has a subscription');
      throw error;
    }
  }
}

/** jsonb gives dates back as strings. */
function revive(discount: DiscountSnapshot): DiscountSnapshot {
  const schedule = discount.schedule.kind === 'until' ? { kind: 'until' as const, endsAt: new Date(discount.schedule.endsAt) } : discount.schedule;
  return { ...discount, schedule, redeemedAt: new Date(discount.redeemedAt), endsAt: discount.endsAt ? new Date(discount.endsAt) : null };
}

/**
 * The period after the current one, counted from the anchor so the anchor day is kept (a trial's
 * anchor is its end, period -1 being the trial). A pending change to another interval starts a fresh
 * cycle at the boundary.
 */
function nextPeriod(subscription: SubscriptionRow, current: Plan, next: Plan): { start: Date; end: Date; anchor: Date; index: number } {
  const start = subscription.status === 'trialing' ? subscription.trialEndsAt! : subscription.currentPeriodEnd;
  const freshCycle = next.interval !== current.interval;
  const anchor = freshCycle ? start : subscription.billingAnchor;
  const index = freshCycle ? 0 : subscription.periodIndex + 1;
  return { start, end: periodEnd(anchor, next.interval, index), anchor, index };
}

/** A subscription that ends now bills its usage when it was paid for: not a trial, nor one never paid. */
const billsUsage = (subscription: SubscriptionRow) => ['active', 'past_due', 'unpaid'].includes(subscription.status);

/** The invoice just made for the subscription becomes its latest; a discount it carried has been used once more. */
function noteInvoice(tx: Tx, subscription: SubscriptionRow, invoice: InvoiceRow): Promise<SubscriptionRow> {
  return repo.updateSubscription(tx, subscription.id, { latestInvoiceId: invoice.id, discountUses: subscription.discountUses + (invoice.discount > 0 ? 1 : 0) });
}

import { and, eq, inArray, sql } from 'drizzle-orm';
import { businesses } from '../businesses/businesses.table.js';
import type { Clock } from '../clock/clock.js';
import type { Database, Db, Tx } from '../db/client.js';
import { AppError, NotFoundError } from '../errors/errors.js';
import { recordHistory } from '../history/history.repo.js';
import type { Logger } from '../log/logger.js';
import type { ChargeOutcome, PaymentGateway } from '../payments/gateway.js';
import type { CustomerService } from '../payments/customers.js';
import * as paymentMethodsRepo from '../payments/payment-methods.repo.js';
import { formatMoney } from '../money/money.js';
import type { InvoiceDraft } from './invoice-math.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import type { PdfLinks } from './pdf-links.js';
import * as repo from './invoices.repo.js';
import { invoices, payments, type InvoiceRow } from './invoices.table.js';

/** Called in the transaction that marks an invoice paid (the subscription reacts: incomplete -> active). */
export type InvoicePaidListener = (tx: Tx, invoice: InvoiceRow, actor: string) => Promise<void>;

export interface CollectionResult {
  invoice: InvoiceRow;
  outcome: ChargeOutcome | { status: 'nothing_due' };
}

/**
 * Invoices: finalization (numbers, lines, credit balance) and collection. Each charge attempt is a
 * payment row and a Stripe payment intent with key `invoice:<id>:attempt:<n>`; the outcome is applied
 * once, from the API answer or the webhook, whichever comes first (conditional updates).
 */
export class InvoiceService {
  private readonly paidListeners: InvoicePaidListener[] = [];

  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGateway,
    private readonly customers: CustomerService,
    private readonly pdfLinks: PdfLinks,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  pdfUrl(baseUrl: string, invoice: InvoiceRow): Promise<string> {
    return this.pdfLinks.urlFor(baseUrl, invoice);
  }

  /** The PDF behind a signed link; undefined for a bad or expired link. */
  async pdf(invoiceId: string, token: string): Promise<{ filename: string; content: Buffer } | undefined> {
    const link = await this.pdfLinks.verify(invoiceId, token);
    const invoice = link ? await repo.findInvoice(this.db, link.businessId, link.invoiceId) : undefined;
    if (!invoice) return undefined;
    const [business] = await this.db.select().from(businesses).where(eq(businesses.id, invoice.businessId));
    const content = await renderInvoicePdf({ businessName: business!.name, invoice, lines: await repo.linesOf(this.db, [invoice.id]) });
    return { filename: `${invoice.number ?? invoice.id}.pdf`, content };
  }

  onPaid(listener: InvoicePaidListener): void {
    this.paidListeners.push(listener);
  }

  /** Finalizes a computed invoice inside the caller's transaction and writes its history. */
  async finalize(
    tx: Tx,
    input: { businessId: string; subscriptionId: string | null; billingReason: string; draft: InvoiceDraft; actor: string; now: Date },
  ): Promise<InvoiceRow> {
    const invoice = await repo.insertFinalized(tx, input);
    const amount = formatMoney({ amount: invoice.total, currency: invoice.currency });
    await recordHistory(tx, {
      businessId: input.businessId,
      type: 'invoice.finalized',
      description: `Invoice ${invoice.number} finalized for ${amount}`,
      actor: input.actor,
      subjectId: invoice.id,
      data: { billingReason: input.billingReason, amountDue: invoice.amountDue, creditBalanceChange: input.draft.creditBalanceChange },
      occurredAt: input.now,
    });
    if (invoice.status === 'paid') await this.afterPaid(tx, invoice, input.actor, input.now, 'nothing due');
    return invoice;
  }

  get(db: Db, businessId: string, id: string): Promise<InvoiceRow | undefined> {
    return repo.findInvoice(db, businessId, id);
  }

  /** For operators only: the invoice whatever its business. */
  getAnyBusiness(id: string): Promise<InvoiceRow | undefined> {
    return repo.findInvoiceById(this.db, id);
  }

  /** `payInvoice`: charges an open invoice now; a paid or void invoice is answered as it is. */
  async pay(businessId: string, invoiceId: string, actor: string): Promise<InvoiceRow> {
    const invoice = await repo.findInvoice(this.db, businessId, invoiceId);
    if (!invoice) throw new NotFoundError(`Invoice "${invoiceId}"`);
    const { invoice: after, outcome } = await this.collect(invoiceId, actor, { offSession: false });
    if (outcome.status === 'failed') {
      throw new AppError('PAYMENT_FAILED', outcome.message, { declineCode: outcome.declineCode, invoiceId });
    }
    if (outcome.status === 'requires_action') {
      throw new AppError('PAYMENT_ACTION_REQUIRED', 'The card needs 3-D Secure authentication', { clientSecret: outcome.clientSecret, invoiceId });
    }
    return after;
  }

  /**
   * Charges an open invoice against the business's default card. A payment attempt still pending
   * (a crash or a concurrent call) is retried with its own idempotency key, so Stripe answers it
   * instead of charging again; only a failed attempt leads to a new one.
   */
  async collect(invoiceId: string, actor: string, options: { offSession: boolean }): Promise<CollectionResult> {
    const now = this.clock.now();
    const prepared = await this.db.transaction(async (tx) => {
      const invoice = (await repo.lockInvoice(tx, invoiceId))!;
      if (invoice.status !== 'open' || invoice.amountDue <= 0) return { invoice };
      const last = await repo.latestPayment(tx, invoiceId);
      if (last && (last.status === 'pending' || last.status === 'succeeded')) return { invoice, attempt: last.attempt, paymentMethodId: last.paymentMethodId };
      const methods = await paymentMethodsRepo.listActive(tx, invoice.businessId);
      const card = methods.find((m) => m.isDefault);
      if (!card) throw new AppError('PAYMENT_FAILED', 'No default payment method to charge', { declineCode: 'no_payment_method', invoiceId });
      const attempt = (last?.attempt ?? 0) + 1;
      await tx.insert(payments).values({ invoiceId, attempt, status: 'pending', paymentMethodId: card.id, amount: invoice.amountDue, currency: invoice.currency, createdAt: now });
      await tx.update(invoices).set({ attemptCount: attempt }).where(eq(invoices.id, invoiceId));
      return { invoice, attempt, paymentMethodId: card.id };
    });
    if (prepared.attempt === undefined) return { invoice: prepared.invoice, outcome: { status: 'nothing_due' } };
    const { paymentMethodId } = prepared;
    let outcome: ChargeOutcome;
    try {
      outcome = await this.gateway.charge({
        offSession: options.offSession,
        customerId: await this.customers.ensureCustomer(prepared.invoice.businessId),
        paymentMethodId,
        amount: prepared.invoice.amountDue,
        currency: prepared.invoice.currency,
        idempotencyKey: `invoice:${invoiceId}:attempt:${prepared.attempt}`,
        description: `Invoice ${prepared.invoice.number}`,
        metadata: { invoice_id: invoiceId, attempt: String(prepared.attempt), business_id: prepared.invoice.businessId },
      });
    } catch (error) {
      this.log.error({ err: error, invoiceId, attempt: prepared.attempt }, 'charge did not complete; the attempt stays pending');
      throw error;
    }
    const invoice = await this.applyOutcome(invoiceId, prepared.attempt, outcome, actor);
    return { invoice, outcome };
  }

  /**
   * Records a charge attempt's outcome once: the payment row moves only from pending or
   * requires_action, the invoice only from open. Used by collection and by the payment webhooks.
   */
  async applyOutcome(invoiceId: string, attempt: number, outcome: ChargeOutcome, actor: string): Promise<InvoiceRow> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const invoice = (await repo.lockInvoice(tx, invoiceId))!;
      const paymentStatus = outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'failed' ? 'failed' : 'requires_action';
      const [payment] = await tx
        .update(payments)
        .set({
          status: paymentStatus,
          stripePaymentIntentId: outcome.paymentIntentId ?? null,
          failureCode: outcome.status === 'failed' ? outcome.declineCode : null,
          settledAt: outcome.status === 'requires_action' ? null : now,
        })
        .where(and(eq(payments.invoiceId, invoiceId), eq(payments.attempt, attempt), inArray(payments.status, ['pending', 'requires_action'])))
        .returning();
      if (!payment) return invoice;
      const money = formatMoney({ amount: payment.amount, currency: payment.currency });
      if (outcome.status === 'succeeded' && invoice.status === 'open') {
        const [paid] = await tx
          .update(invoices)
          .set({ status: 'paid', amountPaid: sql`${invoices.amountDue}`, paidAt: now, nextPaymentAttemptAt: null })
          .where(and(eq(invoices.id, invoiceId), eq(invoices.status, 'open')))
          .returning();
        await recordHistory(tx, { businessId: invoice.businessId, type: 'payment.succeeded', description: `Payment of ${money} for invoice ${invoice.number} succeeded`, actor, subjectId: invoiceId, data: { attempt, paymentIntentId: outcome.paymentIntentId }, occurredAt: now });
        await this.afterPaid(tx, paid!, actor, now, 'charged');
        return paid!;
      }
      if (outcome.status === 'failed') {
        await recordHistory(tx, { businessId: invoice.businessId, type: 'payment.failed', description: `Payment of ${money} for invoice ${invoice.number} failed: ${outcome.declineCode}`, actor, subjectId: invoiceId, data: { attempt, declineCode: outcome.declineCode }, occurredAt: now });
      } else if (outcome.status === 'requires_action') {
        await recordHistory(tx, { businessId: invoice.businessId, type: 'payment.requires_action', description: `Payment for invoice ${invoice.number} needs 3-D Secure authentication`, actor, subjectId: invoiceId, data: { attempt }, occurredAt: now });
      }
      return invoice;
    });
  }

  /** Voids an open invoice nobody will pay (the subscription it was for never started). */
  async voidInvoice(tx: Tx, invoice: InvoiceRow, reason: string, actor: string, now: Date): Promise<void> {
    const [voided] = await tx
      .update(invoices)
      .set({ status: 'void', nextPaymentAttemptAt: null })
      .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'open')))
      .returning();
    if (voided) {
      // Credit the invoice spent goes back to the balance.
      const spent = (await repo.linesOf(tx, [invoice.id])).filter((l) => l.kind === 'credit' && l.amount < 0).reduce((sum, l) => sum - l.amount, 0);
      if (spent > 0) {
        await tx.update(businesses).set({ creditBalance: sql`${businesses.creditBalance} + ${spent}` }).where(eq(businesses.id, invoice.businessId));
      }
      await recordHistory(tx, { businessId: invoice.businessId, type: 'invoice.voided', description: `Invoice ${invoice.number} voided: ${reason}`, actor, subjectId: invoice.id, occurredAt: now });
    }
  }

  private async afterPaid(tx: Tx, invoice: InvoiceRow, actor: string, now: Date, how: string): Promise<void> {
    await recordHistory(tx, { businessId: invoice.businessId, type: 'invoice.paid', description: `Invoice ${invoice.number} paid (${how})`, actor, subjectId: invoice.id, occurredAt: now });
    for (const listener of this.paidListeners) await listener(tx, invoice, actor);
  }
}

import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { businesses } from '../businesses/businesses.table.js';
import type { Db } from '../db/client.js';
import type { InvoiceDraft } from './invoice-math.js';
import { invoiceLines, invoices, payments, type InvoiceLineRow, type InvoiceRow, type PaymentRow } from './invoices.table.js';

/** `BIZDEM` from `biz_demo`: upper-case letters and digits of the business id, at most six. */
export function invoicePrefix(businessId: string): string {
  return (businessId.replace(/[^a-z0-9]/gi, '').toUpperCase().slice(0, 6) || 'INV').padEnd(3, 'X');
}

/**
 * Finalizes an invoice in the caller's transaction: takes the business's next number (the row update
 * serialises concurrent finalizations, so numbers have no gaps), stores lines and amounts, and moves
 * the credit balance. An invoice with nothing due is paid at once, without a charge.
 */
export async function insertFinalized(
  tx: Db,
  input: { businessId: string; subscriptionId: string | null; billingReason: string; draft: InvoiceDraft; now: Date },
): Promise<InvoiceRow> {
  const { draft, now } = input;
  const [business] = await tx
    .update(businesses)
    .set({
      lastInvoiceNumber: sql`${businesses.lastInvoiceNumber} + 1`,
      creditBalance: sql`${businesses.creditBalance} + ${draft.creditBalanceChange}`,
      creditCurrency: draft.creditBalanceChange !== 0 ? draft.currency : sql`${businesses.creditCurrency}`,
    })
    .where(eq(businesses.id, input.businessId))
    .returning({ number: businesses.lastInvoiceNumber });
  const settled = draft.amountDue <= 0;
  const [invoice] = await tx
    .insert(invoices)
    .values({
      businessId: input.businessId,
      subscriptionId: input.subscriptionId,
      number: `${invoicePrefix(input.businessId)}-${String(business!.number).padStart(4, '0')}`,
      sequence: business!.number,
      status: settled ? 'paid' : 'open',
      billingReason: input.billingReason,
      currency: draft.currency,
      subtotal: draft.subtotal,
      discount: draft.discount,
      tax: draft.tax,
      total: draft.total,
      amountDue: draft.amountDue,
      amountPaid: 0,
      periodStart: draft.periodStart,
      periodEnd: draft.periodEnd,
      createdAt: now,
      finalizedAt: now,
      dueAt: now,
      paidAt: settled ? now : null,
    })
    .returning();
  if (draft.lines.length > 0) {
    await tx.insert(invoiceLines).values(draft.lines.map((line, position) => ({ invoiceId: invoice!.id, position, ...line })));
  }
  return invoice!;
}

/** Ids arrive from clients: anything but a UUID is simply not found (and never reaches SQL as a bad cast). */
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function findInvoice(db: Db, businessId: string, id: string): Promise<InvoiceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(invoices).where(and(eq(invoices.id, id), eq(invoices.businessId, businessId)));
  return row;
}

export async function findInvoiceById(db: Db, id: string): Promise<InvoiceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(invoices).where(eq(invoices.id, id));
  return row;
}

export async function lockInvoice(tx: Db, id: string): Promise<InvoiceRow | undefined> {
  const [row] = await tx.select().from(invoices).where(eq(invoices.id, id)).for('update');
  return row;
}

/** Newest first; the cursor is the last row's (createdAt, sequence). */
export async function listInvoices(
  db: Db,
  businessId: string,
  limit: number,
  after?: { createdAt: Date; sequence: number },
): Promise<InvoiceRow[]> {
  return db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.businessId, businessId),
        after ? or(lt(invoices.createdAt, after.createdAt), and(eq(invoices.createdAt, after.createdAt), lt(invoices.sequence, after.sequence))) : undefined,
      ),
    )
    .orderBy(desc(invoices.createdAt), desc(invoices.sequence))
    .limit(limit);
}

export async function linesOf(db: Db, invoiceIds: readonly string[]): Promise<InvoiceLineRow[]> {
  if (invoiceIds.length === 0) return [];
  return db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, [...invoiceIds])).orderBy(asc(invoiceLines.position));
}

export async function paymentsOf(db: Db, invoiceIds: readonly string[]): Promise<PaymentRow[]> {
  if (invoiceIds.length === 0) return [];
  return db.select().from(payments).where(inArray(payments.invoiceId, [...invoiceIds])).orderBy(asc(payments.attempt));
}

export async function latestPayment(db: Db, invoiceId: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.invoiceId, invoiceId)).orderBy(desc(payments.attempt)).limit(1);
  return row;
}

import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { businesses } from '../businesses/businesses.table.js';

export const invoiceStatusEnum = pgEnum('invoice_status', ['draft', 'open', 'paid', 'void', 'uncollectible']);
export const invoiceLineKindEnum = pgEnum('invoice_line_kind', ['subscription', 'proration', 'overage', 'discount', 'credit', 'tax']);
export const paymentStatusEnum = pgEnum('payment_status', ['pending', 'succeeded', 'failed', 'requires_action']);

/**
 * Invoices are ours (not Stripe Billing's). Amounts are integer minor units of `currency`:
 * subtotal = SUBSCRIPTION + PRORATION + OVERAGE lines; discount = -DISCOUNT lines; tax = TAX lines;
 * total = subtotal - discount + tax; amountDue = total + CREDIT lines. Finalized invoices never change
 * their lines or amounts; only status and payment fields move.
 */
export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: text('business_id')
      .notNull()
      .references(() => businesses.id),
    subscriptionId: uuid('subscription_id'),
    /** `<PREFIX>-0001`, given at finalization, gapless per business. */
    number: text('number'),
    /** The number's integer part: orders a business's invoices made at the same instant. */
    sequence: integer('sequence').notNull(),
    status: invoiceStatusEnum('status').notNull(),
    /** Why it exists: subscription_create, subscription_update, subscription_cycle, ... */
    billingReason: text('billing_reason').notNull(),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid').notNull().default(0),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    finalizedAt: timestamp('finalized_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    attemptCount: integer('attempt_count').notNull().default(0),
    nextPaymentAttemptAt: timestamp('next_payment_attempt_at', { withTimezone: true }),
  },
  (t) => [
    unique('invoices_number_per_business').on(t.businessId, t.number),
    index('invoices_business_created_idx').on(t.businessId, t.createdAt, t.sequence),
    check('invoices_amounts_add_up', sql`${t.total} = ${t.subtotal} - ${t.discount} + ${t.tax}`),
    check('invoices_paid_within_due', sql`${t.amountPaid} >= 0 and ${t.amountPaid} <= greatest(${t.amountDue}, 0)`),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    position: integer('position').notNull(),
    kind: invoiceLineKindEnum('kind').notNull(),
    description: text('description').notNull(),
    quantity: integer('quantity').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    amount: integer('amount').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
  },
  (t) => [unique('invoice_lines_position').on(t.invoiceId, t.position)],
);

/** One row per charge attempt of an invoice; the Stripe payment intent is created with key invoice:<id>:attempt:<n>. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id),
    attempt: integer('attempt').notNull(),
    /** Mirrors Stripe: the payment intent of this attempt. */
    stripePaymentIntentId: text('stripe_payment_intent_id').unique(),
    status: paymentStatusEnum('status').notNull(),
    /** The card this attempt charges: a retry of the attempt must send Stripe the same parameters. */
    paymentMethodId: text('payment_method_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    failureCode: text('failure_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [unique('payments_attempt_per_invoice').on(t.invoiceId, t.attempt)],
);

export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;

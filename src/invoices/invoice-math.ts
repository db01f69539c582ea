import { divideRoundHalfEven } from '../money/money.js';

export type LineKind = 'subscription' | 'proration' | 'overage' | 'discount' | 'credit' | 'tax';

export interface DraftLine {
  kind: LineKind;
  description: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  periodStart: Date;
  periodEnd: Date;
}

export interface InvoiceDraft {
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  lines: DraftLine[];
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  amountDue: number;
  /** What the invoice does to the credit balance: negative spends it, positive adds to it. */
  creditBalanceChange: number;
}

/**
 * Turns charge lines into a complete invoice, in this order: subtotal (SUBSCRIPTION, PRORATION,
 * OVERAGE), DISCOUNT on the subtotal, TAX on what is left (exclusive, basis points), then CREDIT:
 * a positive total spends the credit balance; a negative total (unused time worth more than the new
 * charges) goes to the credit balance, so nothing is due. Each figure is rounded once, half to even.
 */
export function composeInvoice(input: {
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  chargeLines: DraftLine[];
  /** Already computed by the promotions rules from the subtotal. */
  discount?: { amount: number; description: string };
  taxRateBps: number;
  creditBalance: number;
}): InvoiceDraft {
  const lines = [...input.chargeLines];
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const discount = subtotal > 0 && input.discount ? Math.min(input.discount.amount, subtotal) : 0;
  const span = { periodStart: input.periodStart, periodEnd: input.periodEnd };
  if (discount > 0) {
    lines.push({ kind: 'discount', description: input.discount!.description, quantity: 1, unitAmount: -discount, amount: -discount, ...span });
  }
  const tax = Number(divideRoundHalfEven(BigInt(subtotal - discount) * BigInt(input.taxRateBps), 10_000n));
  if (tax !== 0) {
    lines.push({ kind: 'tax', description: `Tax (${input.taxRateBps / 100}%)`, quantity: 1, unitAmount: tax, amount: tax, ...span });
  }
  const total = subtotal - discount + tax;
  let creditBalanceChange = 0;
  if (total > 0 && input.creditBalance > 0) {
    creditBalanceChange = -Math.min(input.creditBalance, total);
    lines.push({ kind: 'credit', description: 'Credit balance applied', quantity: 1, unitAmount: creditBalanceChange, amount: creditBalanceChange, ...span });
  } else if (total < 0) {
    creditBalanceChange = -total;
    lines.push({ kind: 'credit', description: 'Unused time added to credit balance', quantity: 1, unitAmount: -total, amount: -total, ...span });
  }
  const amountDue = total + lines.filter((l) => l.kind === 'credit').reduce((sum, l) => sum + l.amount, 0);
  return { currency: input.currency, ...span, lines, subtotal, discount, tax, total, amountDue, creditBalanceChange };
}

/**
 * The share of `amount` for the time from `from` to `periodEnd`, by the second, rounded half to even:
 * amount * remainingSeconds / periodSeconds.
 */
export function prorate(amount: number, from: Date, periodStart: Date, periodEnd: Date): number {
  const periodSeconds = BigInt(Math.round((periodEnd.getTime() - periodStart.getTime()) / 1000));
  const remainingSeconds = BigInt(Math.max(0, Math.floor((periodEnd.getTime() - from.getTime()) / 1000)));
  return Number(divideRoundHalfEven(BigInt(amount) * remainingSeconds, periodSeconds));
}

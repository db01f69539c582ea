/**
 * In-memory state of the sandbox: Stripe objects by id, plus the bookkeeping Stripe keeps privately
 * (which test card backs a payment method). Objects are typed with the SDK's own interfaces so their
 * shapes stay the ones the `stripe` package (and the app) expects.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { TestCard } from './cards.js';

export type StripeObject =
  | Stripe.Customer
  | Stripe.PaymentMethod
  | Stripe.SetupIntent
  | Stripe.PaymentIntent
  | Stripe.Charge
  | Stripe.Refund
  | Stripe.Dispute
  | Stripe.Event;

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Stripe-looking random ids: `<prefix>_` + 24 base62 characters. */
export function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return prefix ? `${prefix}_${out}` : out;
}

export class Store {
  readonly customers = new Map<string, Stripe.Customer>();
  readonly paymentMethods = new Map<string, Stripe.PaymentMethod>();
  readonly setupIntents = new Map<string, Stripe.SetupIntent>();
  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly refunds = new Map<string, Stripe.Refund>();
  readonly disputes = new Map<string, Stripe.Dispute>();
  readonly events = new Map<string, Stripe.Event>();
  /** Which Stripe test card each payment method stands for (decides charge outcomes). */
  readonly cardOf = new Map<string, TestCard>();

  /** Look an object up by the prefix of its id, as Stripe's expand does. */
  byId(id: string): StripeObject | undefined {
    const prefix = id.split('_')[0];
    switch (prefix) {
      case 'cus':
        return this.customers.get(id);
      case 'pm':
        return this.paymentMethods.get(id);
      case 'seti':
        return this.setupIntents.get(id);
      case 'pi':
        return this.paymentIntents.get(id);
      case 'ch':
        return this.charges.get(id);
      case 're':
        return this.refunds.get(id);
      case 'dp':
        return this.disputes.get(id);
      case 'evt':
        return this.events.get(id);
      default:
        return undefined;
    }
  }

  clear(): void {
    this.customers.clear();
    this.paymentMethods.clear();
    this.setupIntents.clear();
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    this.disputes.clear();
    this.events.clear();
    this.cardOf.clear();
  }
}

/** Newest first, as Stripe lists. */
export function newestFirst<T>(map: Map<string, T>): T[] {
  return [...map.values()].reverse();
}

/** A deep copy, so a stored answer or a sent event never changes when the object changes later. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}

import type Stripe from 'stripe';
import type { InvoiceService } from '../invoices/invoices.service.js';
import { chargeOutcomeOf, type PaymentGateway } from '../payments/gateway.js';
import type { PaymentMethodService } from '../payments/payment-methods.service.js';

export interface HandlerDeps {
  paymentMethods: PaymentMethodService;
  invoices: InvoiceService;
  gateway: PaymentGateway;
}

/**
 * A payment intent of ours carries metadata invoice_id and attempt; its current state at Stripe is
 * applied to that attempt (once: the invoice service ignores outcomes already recorded).
 */
async function syncPaymentIntent(event: Stripe.Event, { invoices, gateway }: HandlerDeps): Promise<void> {
  const intent = await gateway.stripe.paymentIntents.retrieve((event.data.object as Stripe.PaymentIntent).id);
  const invoiceId = intent.metadata?.invoice_id;
  const attempt = Number(intent.metadata?.attempt);
  if (!invoiceId || !Number.isInteger(attempt)) return;
  const outcome = chargeOutcomeOf(intent);
  if (outcome) await invoices.applyOutcome(invoiceId, attempt, outcome, 'stripe');
}

type Handler = (event: Stripe.Event, deps: HandlerDeps) => Promise<void>;

/**
 * One handler per event type. Each treats the event as a trigger: it re-reads the object's current
 * state from Stripe and converges local state, so late, repeated and out-of-order events are harmless.
 * Types missing here are recorded as `ignored`.
 */
export const STRIPE_EVENT_HANDLERS: Partial<Record<Stripe.Event.Type, Handler>> = {
  'payment_method.attached': (event, { paymentMethods }) => paymentMethods.syncFromStripe(objectId(event)),
  'payment_method.detached': (event, { paymentMethods }) => paymentMethods.syncFromStripe(objectId(event)),
  'payment_method.updated': (event, { paymentMethods }) => paymentMethods.syncFromStripe(objectId(event)),
  'payment_method.automatically_updated': (event, { paymentMethods }) => paymentMethods.syncFromStripe(objectId(event)),
  'setup_intent.succeeded': async (event, { paymentMethods }) => {
    const intent = event.data.object as Stripe.SetupIntent;
    const pm = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method?.id;
    if (pm) await paymentMethods.syncFromStripe(pm);
  },
  'customer.updated': (event, { paymentMethods }) => paymentMethods.syncDefaultFromStripe(objectId(event)),
  'payment_intent.succeeded': syncPaymentIntent,
  'payment_intent.payment_failed': syncPaymentIntent,
  'payment_intent.requires_action': syncPaymentIntent,
};

function objectId(event: Stripe.Event): string {
  return (event.data.object as { id: string }).id;
}

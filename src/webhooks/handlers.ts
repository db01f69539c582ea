import type Stripe from 'stripe';
import type { PaymentMethodService } from '../payments/payment-methods.service.js';

export interface HandlerDeps {
  paymentMethods: PaymentMethodService;
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
};

function objectId(event: Stripe.Event): string {
  return (event.data.object as { id: string }).id;
}

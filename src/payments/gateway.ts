import Stripe from 'stripe';
import { AppError, ConflictError, NotFoundError } from '../errors/errors.js';

export interface CardDetails {
  id: string;
  customerId: string | null;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export type ChargeOutcome =
  | { status: 'succeeded'; paymentIntentId: string }
  | { status: 'requires_action'; paymentIntentId: string; clientSecret: string }
  | { status: 'failed'; paymentIntentId: string | undefined; declineCode: string; message: string };

/**
 * A payment intent's state as a charge outcome; undefined while it has no outcome yet. Used for the
 * API's answer and for the payment_intent webhooks alike.
 */
export function chargeOutcomeOf(intent: Stripe.PaymentIntent): ChargeOutcome | undefined {
  if (intent.status === 'succeeded') return { status: 'succeeded', paymentIntentId: intent.id };
  if (intent.status === 'requires_action') return { status: 'requires_action', paymentIntentId: intent.id, clientSecret: intent.client_secret! };
  const error = intent.last_payment_error;
  if (!error) return undefined;
  return { status: 'failed', paymentIntentId: intent.id, declineCode: error.decline_code ?? error.code ?? 'payment_failed', message: error.message ?? 'payment failed' };
}

function toCard(pm: Stripe.PaymentMethod): CardDetails {
  const customer = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
  return {
    id: pm.id,
    customerId: customer,
    brand: pm.card?.brand ?? pm.type,
    last4: pm.card?.last4 ?? '',
    expMonth: pm.card?.exp_month ?? 0,
    expYear: pm.card?.exp_year ?? 0,
  };
}

/**
 * Stripe's answer as one of the contract's errors: a card decline is PAYMENT_FAILED with its decline
 * code; 3-D Secure is PAYMENT_ACTION_REQUIRED with the client secret; anything else stays internal.
 */
export function paymentError(error: unknown): AppError | undefined {
  if (!(error instanceof Stripe.errors.StripeError)) return undefined;
  const intent = (error as Stripe.errors.StripeCardError).payment_intent;
  if (error.code === 'authentication_required' && intent?.client_secret) {
    return new AppError('PAYMENT_ACTION_REQUIRED', 'The card needs 3-D Secure authentication', {
      clientSecret: intent.client_secret,
    });
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    return new AppError('PAYMENT_FAILED', error.message, { declineCode: error.decline_code ?? error.code ?? 'card_declined' });
  }
  return undefined;
}

/**
 * Every call this service makes to Stripe. Calls that create something carry an idempotency key
 * derived from our own record, so our retries (and the SDK's) can never create or charge twice.
 */
export class PaymentGateway {
  constructor(readonly stripe: Stripe) {}

  async createCustomer(input: { businessId: string; name: string; email: string | null }): Promise<string> {
    const customer = await this.stripe.customers.create(
      { name: input.name, email: input.email ?? undefined, metadata: { business_id: input.businessId } },
      { idempotencyKey: `customer:${input.businessId}` },
    );
    return customer.id;
  }

  async updateCustomer(customerId: string, details: { name: string; email: string | null }): Promise<void> {
    await this.stripe.customers.update(customerId, { name: details.name, email: details.email ?? '' });
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string | null): Promise<void> {
    await this.stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: paymentMethodId ?? '' },
    });
  }

  async defaultPaymentMethodOf(customerId: string): Promise<string | null> {
    const customer = await this.stripe.customers.retrieve(customerId);
    if (customer.deleted) return null;
    const pm = customer.invoice_settings?.default_payment_method;
    return typeof pm === 'string' ? pm : (pm?.id ?? null);
  }

  async createSetupIntent(customerId: string, requestKey: string): Promise<{ id: string; clientSecret: string }> {
    const intent = await this.stripe.setupIntents.create(
      { customer: customerId, usage: 'off_session', metadata: { purpose: 'save_card' } },
      { idempotencyKey: `setup_intent:${customerId}:${requestKey}` },
    );
    return { id: intent.id, clientSecret: intent.client_secret! };
  }

  async retrievePaymentMethod(id: string): Promise<CardDetails | undefined> {
    try {
      return toCard(await this.stripe.paymentMethods.retrieve(id));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing') return undefined;
      throw error;
    }
  }

  /** Attaches a payment method (or a test token such as pm_card_visa) to the customer. */
  async attachPaymentMethod(paymentMethodId: string, customerId: string): Promise<CardDetails> {
    try {
      const pm = await this.stripe.paymentMethods.attach(
        paymentMethodId,
        { customer: customerId },
        { idempotencyKey: `payment_method:${paymentMethodId}:attach:${customerId}` },
      );
      return toCard(pm);
    } catch (error) {
      const mapped = paymentError(error);
      if (mapped) throw mapped;
      if (error instanceof Stripe.errors.StripeInvalidRequestError) {
        // Unknown ids and methods attached to another customer look the same to the caller.
        throw new NotFoundError(`Payment method "${paymentMethodId}"`);
      }
      throw error;
    }
  }

  async detachPaymentMethod(paymentMethodId: string): Promise<void> {
    try {
      await this.stripe.paymentMethods.detach(paymentMethodId);
    } catch (error) {
      // Already detached at Stripe: the goal is reached.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return;
      throw error;
    }
  }

  /**
   * Charges a saved card. On session (the customer is at the dashboard: subscribe, upgrade, pay now),
   * 3-D Secure leaves the intent in requires_action for Stripe.js; off session (renewals), Stripe
   * declines it with authentication_required. `idempotencyKey` must name the attempt (for example
   * `invoice:<id>:attempt:<n>`): a retry of the same attempt returns the first answer, never a new charge.
   */
  async charge(input: {
    offSession: boolean;
    customerId: string;
    paymentMethodId: string;
    amount: number;
    currency: string;
    idempotencyKey: string;
    description?: string;
    metadata?: Record<string, string>;
  }): Promise<ChargeOutcome> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency,
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          off_session: input.offSession,
          confirm: true,
          // Cards only, no redirect-based methods: the server confirms without a return_url.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: input.description,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return (
        chargeOutcomeOf(intent) ?? { status: 'failed', paymentIntentId: intent.id, declineCode: 'payment_failed', message: `payment ${intent.status}` }
      );
    } catch (error) {
      if (error instanceof Stripe.errors.StripeIdempotencyError || (error instanceof Stripe.errors.StripeError && error.statusCode === 409)) {
        throw new ConflictError('This payment attempt is already being processed');
      }
      if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
      const intent = error.payment_intent;
      if (error.code === 'authentication_required' && intent?.client_secret) {
        return { status: 'requires_action', paymentIntentId: intent.id, clientSecret: intent.client_secret };
      }
      return {
        status: 'failed',
        paymentIntentId: intent?.id,
        declineCode: error.decline_code ?? error.code ?? 'card_declined',
        message: error.message,
      };
    }
  }
}

/**
 * Factories for Stripe objects with the field set Stripe returns for this API version (see Stripe's
 * OpenAPI fixtures): every field present, nulls where Stripe answers null for a fresh test-mode object.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { TestCard } from './cards.js';
import { randomId } from './store.js';

export type Metadata = Record<string, string>;

function emptyAddress(): Stripe.Address {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function newCustomer(created: number, fields: { name: string | null; email: string | null; description: string | null; phone: string | null; metadata: Metadata }): Stripe.Customer {
  return {
    id: randomId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: fields.description,
    discount: null,
    email: fields.email,
    invoice_prefix: randomId('', 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: fields.metadata,
    name: fields.name,
    next_invoice_sequence: 1,
    phone: fields.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

/** Card fingerprints are stable per card number in Stripe; derive one from the test token. */
function fingerprint(card: TestCard): string {
  return createHash('sha256').update(card.token).digest('base64url').slice(0, 16);
}

export function cardExpiry(now: Date): { exp_month: number; exp_year: number } {
  // Stripe's test PaymentMethods expire in December of a future year; keep them valid for years.
  return { exp_month: 12, exp_year: now.getUTCFullYear() + 3 };
}

export function newCardPaymentMethod(card: TestCard, now: Date, customer: string | null, metadata: Metadata = {}): Stripe.PaymentMethod {
  return {
    id: randomId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: emptyAddress(), email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
      country: card.country,
      display_brand: card.brand,
      ...cardExpiry(now),
      fingerprint: fingerprint(card),
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: Math.floor(now.getTime() / 1000),
    customer,
    customer_account: null,
    livemode: false,
    metadata,
    type: 'card',
  };
}

export function newSetupIntent(
  created: number,
  fields: {
    customer: string | null;
    description: string | null;
    metadata: Metadata;
    usage: 'off_session' | 'on_session';
    paymentMethodTypes: string[] | null;
    allowRedirects: 'always' | 'never' | null;
  },
): Stripe.SetupIntent {
  const id = randomId('seti');
  const automatic = fields.paymentMethodTypes === null;
  return {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: fields.paymentMethodTypes as Stripe.SetupIntent.AllowedPaymentMethodType[] | null,
    application: null,
    automatic_payment_methods: automatic ? { allow_redirects: fields.allowRedirects ?? 'always', enabled: true } : null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomId('', 32)}`,
    created,
    customer: fields.customer,
    customer_account: null,
    description: fields.description,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: automatic ? { id: 'pmc_sandbox_default', parent: null } : null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: fields.paymentMethodTypes ?? ['card'],
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: fields.usage,
  };
}

export function newPaymentIntent(
  created: number,
  fields: {
    amount: number;
    currency: string;
    customer: string | null;
    description: string | null;
    metadata: Metadata;
    paymentMethodTypes: string[] | null;
    allowRedirects: 'always' | 'never' | null;
    receiptEmail: string | null;
    setupFutureUsage: 'off_session' | 'on_session' | null;
    statementDescriptorSuffix: string | null;
    captureMethod: 'automatic' | 'automatic_async';
  },
): Stripe.PaymentIntent {
  const id = randomId('pi');
  const automatic = fields.paymentMethodTypes === null;
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: fields.paymentMethodTypes as Stripe.PaymentIntent.AllowedPaymentMethodType[] | null,
    amount: fields.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: automatic ? { allow_redirects: fields.allowRedirects ?? 'always', enabled: true } : null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.captureMethod,
    client_secret: `${id}_secret_${randomId('', 25)}`,
    confirmation_method: 'automatic',
    created,
    currency: fields.currency,
    customer: fields.customer,
    customer_account: null,
    description: fields.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: automatic ? { id: 'pmc_sandbox_default', parent: null } : null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: fields.paymentMethodTypes ?? ['card'],
    payment_record: null,
    processing: null,
    receipt_email: fields.receiptEmail,
    review: null,
    setup_future_usage: fields.setupFutureUsage,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: fields.statementDescriptorSuffix,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

export type ChargeResult =
  | { ok: true }
  | { ok: false; failureCode: string; declineCode: string; message: string };

export function newCharge(created: number, pi: Stripe.PaymentIntent, pm: Stripe.PaymentMethod, result: ChargeResult): Stripe.Charge {
  const id = randomId('ch');
  const card = pm.card;
  const outcome: Stripe.Charge.Outcome = result.ok
    ? {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: 'approved_by_network',
        reason: null,
        risk_level: 'normal',
        risk_score: 32,
        seller_message: 'Payment complete.',
        type: 'authorized',
      }
    : {
        advice_code: result.declineCode === 'insufficient_funds' ? 'try_again_later' : null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: 'declined_by_network',
        reason: result.declineCode,
        risk_level: 'normal',
        risk_score: 32,
        seller_message: 'The bank did not return any further details with this decline.',
        type: 'issuer_declined',
      };
  return {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: result.ok ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: result.ok ? randomId('txn') : null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: 'SANDBOX',
    captured: result.ok,
    created,
    currency: pi.currency,
    customer: typeof pi.customer === 'string' ? pi.customer : (pi.customer?.id ?? null),
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: result.ok ? null : result.failureCode,
    failure_message: result.ok ? null : result.message,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome,
    paid: result.ok,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: result.ok ? pi.amount : null,
        authorization_code: result.ok ? String(100000 + (created % 900000)) : null,
        brand: card?.brand ?? null,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: null },
        country: card?.country ?? null,
        electronic_commerce_indicator: null,
        exp_month: card?.exp_month ?? 12,
        exp_year: card?.exp_year ?? 2030,
        extended_authorization: { status: 'disabled' },
        fingerprint: card?.fingerprint ?? null,
        funding: card?.funding ?? null,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card?.last4 ?? null,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card?.brand ?? null,
        network_token: { used: false },
        network_transaction_id: result.ok ? randomId('', 15) : null,
        overcapture: { maximum_amount_capturable: pi.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: result.ok ? `https://pay.stripe.com/receipts/payment/sandbox_${id}` : null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: result.ok ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
}

export function newRefund(created: number, charge: Stripe.Charge, amount: number, reason: Stripe.Refund.Reason | null, metadata: Metadata): Stripe.Refund {
  return {
    id: randomId('re'),
    object: 'refund',
    amount,
    balance_transaction: randomId('txn'),
    charge: charge.id,
    created,
    currency: charge.currency,
    customer: typeof charge.customer === 'string' ? charge.customer : (charge.customer?.id ?? null),
    customer_account: null,
    destination_details: {
      card: { reference: randomId('', 12), reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata,
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    payment_method: charge.payment_method,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

const evidenceFields = [
  'access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal',
  'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
  'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt',
  'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation',
  'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
  'uncategorized_file', 'uncategorized_text',
] as const;

export function newDispute(created: number, charge: Stripe.Charge, reason: string, amount: number): Stripe.Dispute {
  const evidence = Object.fromEntries(evidenceFields.map((f) => [f, null])) as unknown as Stripe.Dispute.Evidence;
  evidence.enhanced_evidence = {};
  const card = charge.payment_method_details?.card;
  return {
    id: randomId('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence,
    evidence_details: {
      due_by: created + 7 * 24 * 3600,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null),
    payment_method_details: {
      card: { brand: card?.brand ?? 'visa', case_type: 'chargeback', network: card?.network ?? 'visa', network_reason_code: '10.4' },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  };
}

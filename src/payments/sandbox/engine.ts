/**
 * What each Stripe operation does to the sandbox state. HTTP-agnostic: `server.ts` validates and
 * routes, this module changes objects, charges test cards and emits events.
 */
import type Stripe from 'stripe';
import { testCard, type TestCard } from './cards.js';
import {
  cardError,
  invalidParameter,
  invalidRequest,
  missingParameter,
  resourceMissing,
  unexpectedState,
} from './errors.js';
import type { EventBus, RequestInfo } from './events.js';
import { paginate, type ListObject } from './lists.js';
import {
  newCardPaymentMethod,
  newCharge,
  newCustomer,
  newDispute,
  newPaymentIntent,
  newRefund,
  newSetupIntent,
  type Metadata,
} from './objects.js';
import {
  mergeMetadata,
  optBool,
  optEnum,
  optInt,
  optObject,
  optString,
  optStringList,
  reqInt,
  reqString,
  type Params,
} from './params.js';
import { newestFirst, randomId, snapshot, type Store } from './store.js';

/** Stripe's minimum charge amounts (smallest currency unit) for common currencies. */
const minimumAmount: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50, chf: 50, nzd: 50, sgd: 50, jpy: 50, dkk: 250, sek: 300, nok: 300, mxn: 1000, hkd: 400 };
const MAX_AMOUNT = 99_999_999;

const cancelableStatuses: readonly Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

function metadataParam(params: Params): Metadata {
  return mergeMetadata({}, params);
}

function formatAmount(amount: number, currency: string): string {
  const symbol = currency === 'usd' ? '$' : currency === 'eur' ? '€' : currency === 'gbp' ? '£' : '';
  const value = (amount / 100).toFixed(2);
  return symbol ? `${symbol}${value}` : `${value} ${currency.toUpperCase()}`;
}

/** A failed payment attempt as Stripe reports it on the intent and in the 402 answer. */
interface Failure {
  code: string;
  declineCode?: string;
  message: string;
  adviceCode?: string;
  param?: string;
}

export class Engine {
  /** Base URL of the sandbox, for next_action links. Set once the server listens. */
  baseUrl = '';

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {}

  private ts(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  // ---------------------------------------------------------------- customers

  getCustomer(id: string, param = 'id'): Stripe.Customer {
    const c = this.store.customers.get(id);
    if (!c) throw resourceMissing(id, param);
    return c;
  }

  createCustomer(params: Params, req: RequestInfo): Stripe.Customer {
    const customer = newCustomer(this.ts(), {
      name: optString(params, 'name') ?? null,
      email: optString(params, 'email') ?? null,
      description: optString(params, 'description') ?? null,
      phone: optString(params, 'phone') ?? null,
      metadata: metadataParam(params),
    });
    const pmId = optString(params, 'payment_method');
    // Validate references before the customer exists, so a bad id creates nothing.
    const pm = pmId ? this.resolvePaymentMethod(pmId, 'payment_method') : undefined;
    this.store.customers.set(customer.id, customer);
    if (pm) this.attach(pm, customer.id, req);
    const settings = optObject(params, 'invoice_settings');
    if (settings) this.applyInvoiceSettings(customer, settings);
    return customer;
  }

  private applyInvoiceSettings(customer: Stripe.Customer, settings: Params): void {
    const dpm = optString(settings, 'default_payment_method');
    if (dpm === undefined) return;
    if (dpm !== null) {
      const pm = this.store.paymentMethods.get(dpm);
      if (!pm || idOf(pm.customer) !== customer.id) {
        throw invalidRequest(
          `The customer does not have a payment method with the ID ${dpm}. The payment method must be attached to the customer.`,
          { param: 'invoice_settings[default_payment_method]', code: 'resource_missing' },
        );
      }
    }
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: dpm };
  }

  updateCustomer(id: string, params: Params, req: RequestInfo): Stripe.Customer {
    const customer = this.getCustomer(id);
    const before = snapshot(customer);
    for (const field of ['name', 'email', 'description', 'phone'] as const) {
      const v = optString(params, field);
      if (v !== undefined) customer[field] = v;
    }
    customer.metadata = mergeMetadata(customer.metadata, params);
    const settings = optObject(params, 'invoice_settings');
    if (settings) this.applyInvoiceSettings(customer, settings);
    // Stripe's customer.updated carries the previous values of the changed top-level fields.
    const previous: Record<string, unknown> = {};
    for (const key of Object.keys(customer) as Array<keyof Stripe.Customer>) {
      if (JSON.stringify(before[key]) !== JSON.stringify(customer[key])) previous[key] = before[key] ?? null;
    }
    if (Object.keys(previous).length > 0) this.events.emit('customer.updated', customer, req, previous);
    return customer;
  }

  listCustomers(params: Params): ListObject<Stripe.Customer> {
    const email = optString(params, 'email');
    const items = newestFirst(this.store.customers).filter((c) => !email || c.email === email);
    return paginate(items, params, '/v1/customers');
  }

  listCustomerPaymentMethods(id: string, params: Params): ListObject<Stripe.PaymentMethod> {
    this.getCustomer(id);
    const type = optString(params, 'type');
    const items = newestFirst(this.store.paymentMethods).filter((pm) => idOf(pm.customer) === id && (!type || pm.type === type));
    return paginate(items, params, `/v1/customers/${id}/payment_methods`);
  }

  // ---------------------------------------------------------------- payment methods

  getPaymentMethod(id: string, param = 'id'): Stripe.PaymentMethod {
    const pm = this.store.paymentMethods.get(id);
    if (!pm) throw resourceMissing(id, param);
    return pm;
  }

  private cardFor(pm: Stripe.PaymentMethod): TestCard {
    const card = this.store.cardOf.get(pm.id);
    if (!card) throw new Error(`sandbox: payment method ${pm.id} has no test card`);
    return card;
  }

  /**
   * A `pm_card_*` test token becomes a fresh PaymentMethod each time it is used, as in Stripe;
   * anything else must be an existing PaymentMethod.
   */
  resolvePaymentMethod(idOrToken: string, param: string, customer: string | null = null): Stripe.PaymentMethod {
    const card = testCard(idOrToken);
    if (!card) return this.getPaymentMethod(idOrToken, param);
    const pm = newCardPaymentMethod(card, this.now(), customer);
    this.store.paymentMethods.set(pm.id, pm);
    this.store.cardOf.set(pm.id, card);
    return pm;
  }

  private attach(pm: Stripe.PaymentMethod, customerId: string, req: RequestInfo): void {
    pm.customer = customerId;
    this.events.emit('payment_method.attached', pm, req);
  }

  /** Attaching runs Stripe's card check: always-declining test cards fail here already. */
  attachPaymentMethod(id: string, params: Params, req: RequestInfo): Stripe.PaymentMethod {
    const customerId = reqString(params, 'customer');
    this.getCustomer(customerId, 'customer');
    const existing = testCard(id) ? undefined : this.getPaymentMethod(id);
    if (existing && existing.customer) {
      if (idOf(existing.customer) === customerId) return existing;
      throw invalidRequest('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
    }
    const card = existing ? this.cardFor(existing) : testCard(id);
    if (!card) throw resourceMissing(id);
    if (card.onVerify.kind === 'decline') {
      const o = card.onVerify;
      throw cardError({ code: o.code, declineCode: o.declineCode, message: o.message, ...(o.param ? { param: o.param } : {}) });
    }
    const pm = existing ?? this.resolvePaymentMethod(id, 'id');
    pm.metadata = mergeMetadata(pm.metadata ?? {}, params);
    this.attach(pm, customerId, req);
    return pm;
  }

  detachPaymentMethod(id: string, req: RequestInfo): Stripe.PaymentMethod {
    const pm = this.getPaymentMethod(id);
    const customerId = idOf(pm.customer);
    if (!customerId) {
      throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', {
        code: 'payment_method_unexpected_state',
      });
    }
    pm.customer = null;
    // Stripe also drops it as the customer's default.
    const customer = this.store.customers.get(customerId);
    if (customer && idOf(customer.invoice_settings.default_payment_method) === id) {
      customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
    }
    this.events.emit('payment_method.detached', pm, req, { customer: customerId });
    return pm;
  }

  listPaymentMethods(params: Params): ListObject<Stripe.PaymentMethod> {
    const customer = optString(params, 'customer');
    if (customer) this.getCustomer(customer, 'customer');
    const type = optString(params, 'type');
    const items = newestFirst(this.store.paymentMethods).filter(
      (pm) => (!customer || idOf(pm.customer) === customer) && (!type || pm.type === type) && (customer || pm.customer !== null),
    );
    return paginate(items, params, '/v1/payment_methods');
  }

  // ---------------------------------------------------------------- shared intent helpers

  private automaticPaymentMethods(params: Params): { types: string[] | null; allowRedirects: 'always' | 'never' | null } {
    // API 2026-10-28 (the bundled SDK) names it allowed_payment_method_types; older versions payment_method_types.
    const typesParam = params['allowed_payment_method_types'] !== undefined ? 'allowed_payment_method_types' : 'payment_method_types';
    const types = optStringList(params, typesParam);
    const apm = optObject(params, 'automatic_payment_methods');
    if (types && apm) {
      throw invalidRequest(`You may only specify one of these parameters: automatic_payment_methods, ${typesParam}.`, {
        param: 'automatic_payment_methods',
        beforeExecution: true,
      });
    }
    if (types) {
      const unsupported = types.find((t) => t !== 'card');
      if (unsupported) throw invalidParameter(typesParam, `The sandbox supports only the card payment method type, not '${unsupported}'.`);
      return { types, allowRedirects: null };
    }
    if (apm) {
      if (optBool(apm, 'enabled') === false) throw invalidParameter('automatic_payment_methods[enabled]', 'automatic_payment_methods[enabled] must be true when provided.');
      return { types: null, allowRedirects: optEnum(apm, 'allow_redirects', ['always', 'never'] as const) ?? 'always' };
    }
    // Since API version 2023-08-16 automatic payment methods are on by default.
    return { types: null, allowRedirects: 'always' };
  }

  private useStripeSdkAction(intentId: string, clientSecret: string | null, returnUrl: string | undefined): Stripe.PaymentIntent.NextAction {
    const authenticate = `${this.baseUrl}/v1/sandbox/${intentId.startsWith('seti_') ? 'setup_intents' : 'payment_intents'}/${intentId}/authenticate`;
    if (returnUrl) {
      return { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url: authenticate } };
    }
    return {
      type: 'use_stripe_sdk',
      use_stripe_sdk: {
        type: 'three_d_secure_redirect',
        stripe_js: `${authenticate}?client_secret=${clientSecret ?? ''}`,
        source: randomId('src'),
        directory_server_name: 'visa',
      },
    };
  }

  private failureBody(f: Failure, pm: Stripe.PaymentMethod, chargeId: string | null, type: 'card_error' | 'invalid_request_error' = 'card_error'): Stripe.PaymentIntent.LastPaymentError {
    const body: Stripe.PaymentIntent.LastPaymentError = {
      code: f.code,
      doc_url: `https://stripe.com/docs/error-codes/${f.code.replace(/_/g, '-')}`,
      message: f.message,
      payment_method: snapshot(pm),
      type,
    };
    if (chargeId) body.charge = chargeId;
    if (f.declineCode) body.decline_code = f.declineCode;
    if (f.adviceCode) body.advice_code = f.adviceCode;
    if (f.param) body.param = f.param;
    return body;
  }

  // ---------------------------------------------------------------- setup intents

  getSetupIntent(id: string): Stripe.SetupIntent {
    const si = this.store.setupIntents.get(id);
    if (!si) throw resourceMissing(id);
    return si;
  }

  createSetupIntent(params: Params, req: RequestInfo): Stripe.SetupIntent {
    const customer = optString(params, 'customer') ?? null;
    if (customer) this.getCustomer(customer, 'customer');
    const { types, allowRedirects } = this.automaticPaymentMethods(params);
    const confirm = optBool(params, 'confirm') ?? false;
    const pmParam = optString(params, 'payment_method');
    if (pmParam && !testCard(pmParam)) this.getPaymentMethod(pmParam, 'payment_method');
    const si = newSetupIntent(this.ts(), {
      customer,
      description: optString(params, 'description') ?? null,
      metadata: metadataParam(params),
      usage: optEnum(params, 'usage', ['off_session', 'on_session'] as const) ?? 'off_session',
      paymentMethodTypes: types,
      allowRedirects,
    });
    this.store.setupIntents.set(si.id, si);
    if (pmParam) {
      si.payment_method = this.resolvePaymentMethod(pmParam, 'payment_method').id;
      si.status = 'requires_confirmation';
    }
    if (confirm) return this.confirmSetupIntent(si.id, { return_url: params['return_url'] }, req);
    return si;
  }

  confirmSetupIntent(id: string, params: Params, req: RequestInfo): Stripe.SetupIntent {
    const si = this.getSetupIntent(id);
    if (si.status !== 'requires_payment_method' && si.status !== 'requires_confirmation' && si.status !== 'requires_action') {
      throw unexpectedState('setup_intent_unexpected_state', `You cannot confirm this SetupIntent because it has a status of ${si.status}.`);
    }
    const pmParam = optString(params, 'payment_method');
    const pmId = pmParam ?? idOf(si.payment_method);
    if (!pmId) {
      throw unexpectedState(
        'setup_intent_unexpected_state',
        "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again.",
      );
    }
    const pm = pmParam && testCard(pmParam) ? this.resolvePaymentMethod(pmParam, 'payment_method') : this.getPaymentMethod(pmId, 'payment_method');
    const customerId = idOf(si.customer);
    if (pm.customer && idOf(pm.customer) !== customerId) {
      throw invalidRequest('The provided PaymentMethod belongs to another customer.', { param: 'payment_method' });
    }
    si.payment_method = pm.id;
    si.latest_attempt = randomId('setatt');
    si.last_setup_error = null;
    const card = this.cardFor(pm);
    const outcome = card.onVerify;
    if (outcome.kind === 'authenticate') {
      si.status = 'requires_action';
      si.next_action = this.useStripeSdkAction(si.id, si.client_secret, optString(params, 'return_url') ?? undefined) as Stripe.SetupIntent.NextAction;
      this.events.emit('setup_intent.requires_action', si, req);
      return si;
    }
    if (outcome.kind === 'decline') {
      const failure: Failure = { code: outcome.code, declineCode: outcome.declineCode, message: outcome.message, ...(outcome.param ? { param: outcome.param } : {}) };
      this.failSetup(si, pm, failure, 'card_error', req);
      throw cardError({ ...failure, setupIntent: snapshot(si), paymentMethod: snapshot(pm) });
    }
    this.succeedSetup(si, pm, req);
    return si;
  }

  private succeedSetup(si: Stripe.SetupIntent, pm: Stripe.PaymentMethod, req: RequestInfo): void {
    si.status = 'succeeded';
    si.next_action = null;
    si.payment_method = pm.id;
    const customerId = idOf(si.customer);
    if (customerId && !pm.customer) this.attach(pm, customerId, req);
    this.events.emit('setup_intent.succeeded', si, req);
  }

  private failSetup(si: Stripe.SetupIntent, pm: Stripe.PaymentMethod, f: Failure, type: 'card_error' | 'invalid_request_error', req: RequestInfo): void {
    si.status = 'requires_payment_method';
    si.next_action = null;
    si.payment_method = null;
    si.last_setup_error = this.failureBody(f, pm, null, type) as Stripe.SetupIntent.LastSetupError;
    this.events.emit('setup_intent.setup_failed', si, req);
  }

  cancelSetupIntent(id: string, params: Params, req: RequestInfo): Stripe.SetupIntent {
    const si = this.getSetupIntent(id);
    if (si.status === 'succeeded' || si.status === 'canceled') {
      throw unexpectedState('setup_intent_unexpected_state', `You cannot cancel this SetupIntent because it has a status of ${si.status}.`);
    }
    si.status = 'canceled';
    si.next_action = null;
    si.cancellation_reason = optEnum(params, 'cancellation_reason', ['abandoned', 'duplicate', 'requested_by_customer'] as const) ?? null;
    this.events.emit('setup_intent.canceled', si, req);
    return si;
  }

  // ---------------------------------------------------------------- payment intents

  getPaymentIntent(id: string, param = 'id'): Stripe.PaymentIntent {
    const pi = this.store.paymentIntents.get(id);
    if (!pi) throw resourceMissing(id, param);
    return pi;
  }

  createPaymentIntent(params: Params, req: RequestInfo): Stripe.PaymentIntent {
    const amount = reqInt(params, 'amount');
    const currency = reqString(params, 'currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) throw invalidParameter('currency', `Invalid currency: ${currency}.`);
    const min = minimumAmount[currency] ?? 1;
    if (amount < min) {
      throw invalidRequest(`Amount must be at least ${formatAmount(min, currency)} ${currency}`, { code: 'amount_too_small', param: 'amount', beforeExecution: true });
    }
    if (amount > MAX_AMOUNT) {
      throw invalidRequest(`Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)}`, { code: 'amount_too_large', param: 'amount', beforeExecution: true });
    }
    const confirm = optBool(params, 'confirm') ?? false;
    for (const p of ['off_session', 'error_on_requires_action', 'return_url'] as const) {
      if (params[p] !== undefined && !confirm) {
        throw invalidRequest(`You can only pass in \`${p}\` when \`confirm\` is set to \`true\`.`, { param: p, beforeExecution: true });
      }
    }
    const captureMethod = optEnum(params, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async';
    if (captureMethod === 'manual') throw invalidParameter('capture_method', 'The sandbox does not implement manual capture.');
    const customer = optString(params, 'customer') ?? null;
    if (customer) this.getCustomer(customer, 'customer');
    const pmParam = optString(params, 'payment_method');
    if (pmParam && !testCard(pmParam)) this.getPaymentMethod(pmParam, 'payment_method');
    const { types, allowRedirects } = this.automaticPaymentMethods(params);
    const pi = newPaymentIntent(this.ts(), {
      amount,
      currency,
      customer,
      description: optString(params, 'description') ?? null,
      metadata: metadataParam(params),
      paymentMethodTypes: types,
      allowRedirects,
      receiptEmail: optString(params, 'receipt_email') ?? null,
      setupFutureUsage: optEnum(params, 'setup_future_usage', ['off_session', 'on_session'] as const) ?? null,
      statementDescriptorSuffix: optString(params, 'statement_descriptor_suffix') ?? null,
      captureMethod,
    });
    this.store.paymentIntents.set(pi.id, pi);
    if (pmParam) {
      pi.payment_method = this.resolvePaymentMethod(pmParam, 'payment_method').id;
      pi.status = 'requires_confirmation';
    }
    if (!confirm) return pi;
    const confirmParams: Params = {};
    for (const p of ['off_session', 'error_on_requires_action', 'return_url'] as const) {
      if (params[p] !== undefined) confirmParams[p] = params[p];
    }
    return this.confirmPaymentIntent(pi.id, confirmParams, req);
  }

  updatePaymentIntent(id: string, params: Params): Stripe.PaymentIntent {
    const pi = this.getPaymentIntent(id);
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      if (Object.keys(params).some((k) => k !== 'metadata' && k !== 'description' && k !== 'expand')) {
        throw unexpectedState('payment_intent_unexpected_state', `You cannot update this PaymentIntent because it has a status of ${pi.status}.`);
      }
    }
    const amount = optInt(params, 'amount');
    if (amount !== undefined) pi.amount = amount;
    const description = optString(params, 'description');
    if (description !== undefined) pi.description = description;
    const pm = optString(params, 'payment_method');
    if (pm !== undefined) {
      pi.payment_method = pm === null ? null : this.resolvePaymentMethod(pm, 'payment_method').id;
      pi.status = pm === null ? 'requires_payment_method' : 'requires_confirmation';
    }
    pi.metadata = mergeMetadata(pi.metadata, params);
    return pi;
  }

  confirmPaymentIntent(id: string, params: Params, req: RequestInfo): Stripe.PaymentIntent {
    const pi = this.getPaymentIntent(id);
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation' && pi.status !== 'requires_action') {
      throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, {
        code: 'payment_intent_unexpected_state',
      });
    }
    const offSessionRaw = optString(params, 'off_session');
    const offSession = offSessionRaw === 'true' || offSessionRaw === 'one_off' || offSessionRaw === 'recurring';
    if (offSessionRaw && !offSession && offSessionRaw !== 'false') throw invalidParameter('off_session', 'Invalid off_session: must be a boolean, one_off or recurring');
    const errorOnRequiresAction = optBool(params, 'error_on_requires_action') ?? false;
    const returnUrl = optString(params, 'return_url') ?? undefined;
    const pmParam = optString(params, 'payment_method');
    const pmId = pmParam ?? idOf(pi.payment_method);
    if (!pmId) {
      throw invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        { code: 'payment_intent_unexpected_state' },
      );
    }
    const customerId = idOf(pi.customer);
    const pm = pmParam && testCard(pmParam) ? this.resolvePaymentMethod(pmParam, 'payment_method') : this.getPaymentMethod(pmId, 'payment_method');
    const pmCustomer = idOf(pm.customer);
    if (pmCustomer && !customerId) {
      throw invalidRequest(
        `The provided PaymentMethod is attached to customer ${pmCustomer}. To use it, also pass \`customer=${pmCustomer}\` on this PaymentIntent.`,
        { param: 'payment_method' },
      );
    }
    if (pmCustomer && pmCustomer !== customerId) {
      throw invalidRequest('The provided PaymentMethod belongs to another customer.', { param: 'payment_method' });
    }
    // Stripe refuses an on-session server-side confirmation that could redirect but has nowhere to return to.
    if (!offSession && !returnUrl && pi.automatic_payment_methods?.enabled && pi.automatic_payment_methods.allow_redirects !== 'never') {
      throw invalidRequest(
        'This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don\'t want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
        { param: 'return_url' },
      );
    }
    pi.payment_method = pm.id;
    pi.last_payment_error = null;
    const outcome = this.cardFor(pm).onCharge;

    if (outcome.kind === 'authenticate') {
      if (offSession || errorOnRequiresAction) {
        // The issuer demands 3-D Secure but the customer is not there: Stripe declines with
        // authentication_required. Off-session the charge attempt reaches the issuer (a failed charge
        // exists); with error_on_requires_action Stripe stops before charging.
        const failure: Failure = {
          code: 'authentication_required',
          declineCode: 'authentication_required',
          message: 'Your card was declined. This transaction requires authentication.',
        };
        const charge = offSession ? this.recordCharge(pi, pm, { ok: false, failureCode: failure.code, declineCode: 'authentication_required', message: failure.message }) : null;
        this.failPayment(pi, pm, failure, charge?.id ?? null, 'card_error', req);
        throw cardError({ ...failure, ...(charge ? { charge: charge.id } : {}), paymentIntent: snapshot(pi), paymentMethod: snapshot(pm) });
      }
      pi.status = 'requires_action';
      pi.next_action = this.useStripeSdkAction(pi.id, pi.client_secret, returnUrl);
      this.events.emit('payment_intent.requires_action', pi, req);
      return pi;
    }
    if (outcome.kind === 'decline') {
      const failure: Failure = {
        code: outcome.code,
        declineCode: outcome.declineCode,
        message: outcome.message,
        ...(outcome.declineCode === 'insufficient_funds' ? { adviceCode: 'try_again_later' } : {}),
      };
      const charge = this.recordCharge(pi, pm, { ok: false, failureCode: outcome.code, declineCode: outcome.declineCode, message: outcome.message });
      this.failPayment(pi, pm, failure, charge.id, 'card_error', req);
      throw cardError({ ...failure, charge: charge.id, paymentIntent: snapshot(pi), paymentMethod: snapshot(pm) });
    }
    this.succeedPayment(pi, pm, req);
    return pi;
  }

  private recordCharge(pi: Stripe.PaymentIntent, pm: Stripe.PaymentMethod, result: Parameters<typeof newCharge>[3]): Stripe.Charge {
    const charge = newCharge(this.ts(), pi, pm, result);
    this.store.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    return charge;
  }

  private succeedPayment(pi: Stripe.PaymentIntent, pm: Stripe.PaymentMethod, req: RequestInfo): void {
    this.recordCharge(pi, pm, { ok: true });
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.next_action = null;
    pi.last_payment_error = null;
    pi.payment_method = pm.id;
    const customerId = idOf(pi.customer);
    // setup_future_usage saves the card on the customer once the payment succeeds.
    if (pi.setup_future_usage && customerId && !pm.customer) this.attach(pm, customerId, req);
    this.events.emit('payment_intent.succeeded', pi, req);
  }

  private failPayment(pi: Stripe.PaymentIntent, pm: Stripe.PaymentMethod, f: Failure, chargeId: string | null, type: 'card_error' | 'invalid_request_error', req: RequestInfo): void {
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.payment_method = null;
    pi.last_payment_error = this.failureBody(f, pm, chargeId, type);
    this.events.emit('payment_intent.payment_failed', pi, req);
  }

  cancelPaymentIntent(id: string, params: Params, req: RequestInfo): Stripe.PaymentIntent {
    const pi = this.getPaymentIntent(id);
    if (!cancelableStatuses.includes(pi.status)) {
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${cancelableStatuses.join(', ')}.`,
        { code: 'payment_intent_unexpected_state' },
      );
    }
    pi.status = 'canceled';
    pi.canceled_at = this.ts();
    pi.next_action = null;
    pi.cancellation_reason = optEnum(params, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const) ?? null;
    this.events.emit('payment_intent.canceled', pi, req);
    return pi;
  }

  listPaymentIntents(params: Params): ListObject<Stripe.PaymentIntent> {
    const customer = optString(params, 'customer');
    const items = newestFirst(this.store.paymentIntents).filter((pi) => !customer || idOf(pi.customer) === customer);
    return paginate(items, params, '/v1/payment_intents');
  }

  /** Finish (or fail) 3-D Secure for an intent in requires_action, as the customer would in the browser. */
  completeAuthentication(id: string, outcome: 'succeed' | 'fail', req: RequestInfo): Stripe.PaymentIntent | Stripe.SetupIntent {
    if (id.startsWith('seti_')) {
      const si = this.getSetupIntent(id);
      if (si.status !== 'requires_action') {
        throw unexpectedState('setup_intent_unexpected_state', `This SetupIntent does not require authentication; its status is ${si.status}.`);
      }
      const pm = this.getPaymentMethod(idOf(si.payment_method) ?? '', 'payment_method');
      if (outcome === 'succeed') this.succeedSetup(si, pm, req);
      else {
        this.failSetup(si, pm, {
          code: 'setup_intent_authentication_failure',
          message: 'The latest attempt to set up the payment method has failed because authentication failed.',
        }, 'invalid_request_error', req);
      }
      return si;
    }
    const pi = this.getPaymentIntent(id);
    if (pi.status !== 'requires_action') {
      throw unexpectedState('payment_intent_unexpected_state', `This PaymentIntent does not require authentication; its status is ${pi.status}.`);
    }
    const pm = this.getPaymentMethod(idOf(pi.payment_method) ?? '', 'payment_method');
    if (outcome === 'succeed') this.succeedPayment(pi, pm, req);
    else {
      this.failPayment(pi, pm, {
        code: 'payment_intent_authentication_failure',
        message: 'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      }, null, 'invalid_request_error', req);
    }
    return pi;
  }

  // ---------------------------------------------------------------- charges, refunds, disputes

  getCharge(id: string, param = 'id'): Stripe.Charge {
    const ch = this.store.charges.get(id);
    if (!ch) throw resourceMissing(id, param);
    return ch;
  }

  listCharges(params: Params): ListObject<Stripe.Charge> {
    const customer = optString(params, 'customer');
    const paymentIntent = optString(params, 'payment_intent');
    const items = newestFirst(this.store.charges).filter(
      (c) => (!customer || idOf(c.customer) === customer) && (!paymentIntent || idOf(c.payment_intent) === paymentIntent),
    );
    return paginate(items, params, '/v1/charges');
  }

  createRefund(params: Params, req: RequestInfo): Stripe.Refund {
    const piId = optString(params, 'payment_intent');
    const chId = optString(params, 'charge');
    if (!piId && !chId) throw missingParameter('charge');
    let charge: Stripe.Charge;
    if (chId) {
      charge = this.getCharge(chId, 'charge');
    } else {
      const pi = this.getPaymentIntent(piId ?? '', 'payment_intent');
      const latest = idOf(pi.latest_charge);
      if (pi.status !== 'succeeded' || !latest) {
        throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
      }
      charge = this.getCharge(latest, 'charge');
    }
    if (charge.status !== 'succeeded') {
      throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, { param: 'charge' });
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    }
    const amount = optInt(params, 'amount') ?? remaining;
    if (amount <= 0) throw invalidParameter('amount', 'Invalid positive integer');
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        { param: 'amount' },
      );
    }
    const reason = optEnum(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null;
    const refund = newRefund(this.ts(), charge, amount, reason, metadataParam(params));
    this.store.refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    if (charge.refunds) {
      charge.refunds.data.unshift(snapshot(refund));
    }
    this.events.emit('charge.refunded', charge, req, previous);
    return refund;
  }

  getRefund(id: string): Stripe.Refund {
    const r = this.store.refunds.get(id);
    if (!r) throw resourceMissing(id);
    return r;
  }

  listRefunds(params: Params): ListObject<Stripe.Refund> {
    const charge = optString(params, 'charge');
    const paymentIntent = optString(params, 'payment_intent');
    const items = newestFirst(this.store.refunds).filter(
      (r) => (!charge || idOf(r.charge) === charge) && (!paymentIntent || idOf(r.payment_intent) === paymentIntent),
    );
    return paginate(items, params, '/v1/refunds');
  }

  /** Sandbox-only: the cardholder disputes a succeeded charge. */
  createDispute(chargeId: string, params: Params, req: RequestInfo): Stripe.Dispute {
    const charge = this.getCharge(chargeId);
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} did not succeed and cannot be disputed.`);
    if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`);
    const reason = optEnum(params, 'reason', ['fraudulent', 'duplicate', 'product_not_received', 'product_unacceptable', 'subscription_canceled', 'unrecognized', 'credit_not_processed', 'general'] as const) ?? 'fraudulent';
    const amount = optInt(params, 'amount') ?? charge.amount - charge.amount_refunded;
    const dispute = newDispute(this.ts(), charge, reason, amount);
    this.store.disputes.set(dispute.id, dispute);
    charge.disputed = true;
    this.events.emit('charge.dispute.created', dispute, req);
    return dispute;
  }

  getDispute(id: string): Stripe.Dispute {
    const d = this.store.disputes.get(id);
    if (!d) throw resourceMissing(id);
    return d;
  }

  // ---------------------------------------------------------------- events

  getEvent(id: string): Stripe.Event {
    const e = this.store.events.get(id);
    if (!e) throw resourceMissing(id);
    return e;
  }

  listEvents(params: Params): ListObject<Stripe.Event> {
    const type = optString(params, 'type');
    const types = optStringList(params, 'types');
    // `type` accepts Stripe's wildcard form, e.g. `payment_intent.*`.
    const matches = (t: string): boolean => {
      if (types && !types.includes(t)) return false;
      if (!type) return true;
      return type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type;
    };
    const created = params['created'];
    const range = typeof created === 'object' && created !== null ? (created as Params) : undefined;
    const exact = typeof created === 'string' ? optInt(params, 'created') : undefined;
    const gt = range ? optInt(range, 'gt') : undefined;
    const gte = range ? optInt(range, 'gte') : undefined;
    const lt = range ? optInt(range, 'lt') : undefined;
    const lte = range ? optInt(range, 'lte') : undefined;
    const items = newestFirst(this.store.events).filter(
      (e) =>
        matches(e.type) &&
        (exact === undefined || e.created === exact) &&
        (gt === undefined || e.created > gt) &&
        (gte === undefined || e.created >= gte) &&
        (lt === undefined || e.created < lt) &&
        (lte === undefined || e.created <= lte),
    );
    return paginate(items, params, '/v1/events');
  }
}

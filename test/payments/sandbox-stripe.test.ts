import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxStripe, type SandboxStripe } from '../../src/payments/sandbox/index.js';

const log = pino({ level: 'silent' });

/** Top-level fields of Stripe's sample objects (Stripe's OpenAPI fixtures): every answer must have them all. */
const stripeFields = {
  customer: ["address", "balance", "created", "currency", "default_source", "delinquent", "description", "discount", "email", "id", "invoice_prefix", "invoice_settings", "livemode", "metadata", "name", "next_invoice_sequence", "object", "phone", "preferred_locales", "shipping", "tax_exempt", "test_clock"],
  payment_method: ["allow_redisplay", "billing_details", "card", "created", "customer", "customer_account", "id", "livemode", "metadata", "object", "type"],
  setup_intent: ["application", "automatic_payment_methods", "cancellation_reason", "client_secret", "created", "customer", "description", "excluded_payment_method_types", "flow_directions", "id", "last_setup_error", "latest_attempt", "livemode", "mandate", "metadata", "next_action", "object", "on_behalf_of", "payment_method", "payment_method_configuration_details", "payment_method_options", "payment_method_types", "single_use_mandate", "status", "usage"],
  payment_intent: ["amount", "amount_capturable", "amount_details", "amount_received", "application", "application_fee_amount", "automatic_payment_methods", "canceled_at", "cancellation_reason", "capture_method", "client_secret", "confirmation_method", "created", "currency", "customer", "customer_account", "description", "excluded_payment_method_types", "id", "last_payment_error", "latest_charge", "livemode", "managed_payments", "metadata", "next_action", "object", "on_behalf_of", "payment_method", "payment_method_configuration_details", "payment_method_options", "payment_method_types", "processing", "receipt_email", "review", "setup_future_usage", "shipping", "source", "statement_descriptor", "statement_descriptor_suffix", "status", "transfer_data", "transfer_group"],
  charge: ["amount", "amount_captured", "amount_refunded", "application", "application_fee", "application_fee_amount", "balance_transaction", "billing_details", "calculated_statement_descriptor", "captured", "created", "currency", "customer", "description", "disputed", "failure_balance_transaction", "failure_code", "failure_message", "fraud_details", "id", "livemode", "metadata", "object", "on_behalf_of", "outcome", "paid", "payment_intent", "payment_method", "payment_method_details", "receipt_email", "receipt_number", "receipt_url", "refunded", "refunds", "review", "shipping", "source", "source_transfer", "statement_descriptor", "statement_descriptor_suffix", "status", "transfer_data", "transfer_group"],
  refund: ["amount", "balance_transaction", "charge", "created", "currency", "customer", "customer_account", "destination_details", "id", "metadata", "object", "payment_intent", "payment_method", "reason", "receipt_number", "source_transfer_reversal", "status", "transfer_reversal"],
  dispute: ["amount", "balance_transactions", "charge", "created", "currency", "enhanced_eligibility_types", "evidence", "evidence_details", "id", "is_charge_refundable", "livemode", "metadata", "object", "payment_intent", "payment_method_details", "reason", "status"],
  event: ["api_version", "created", "data", "id", "livemode", "object", "pending_webhooks", "request", "type"],
} as const;

function expectStripeShape(kind: keyof typeof stripeFields, obj: unknown): void {
  const missing = stripeFields[kind].filter((f) => !Object.prototype.hasOwnProperty.call(obj, f));
  expect(missing, `${kind} lacks Stripe fields`).toEqual([]);
  expect((obj as { object: string }).object).toBe(kind);
}

let sandbox: SandboxStripe;
let stripe: Stripe;

function client(opts: Partial<Stripe.StripeConfig> = {}): Stripe {
  return new Stripe(sandbox.secretKey, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0, ...opts });
}

async function rejection(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A webhook receiver that records raw bodies and answers with the statuses it is told to. */
interface Receiver {
  url: string;
  received: Array<{ body: string; signature: string }>;
  statuses: number[];
  waitFor(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    statuses,
    async waitFor(n, ms = 5000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} webhooks, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

beforeAll(async () => {
  sandbox = await startSandboxStripe({ log });
  stripe = client();
});

afterEach(() => {
  sandbox.setWebhookUrl(undefined);
  sandbox.faults.clear();
});

afterAll(async () => {
  await sandbox.stop();
});

describe('customers', () => {
  it('creates, retrieves and updates a customer, emitting customer.updated', async () => {
    const created = await stripe.customers.create({ name: 'Ada', email: 'ada@example.com', metadata: { tenant: 't1' } });
    expect(created.id).toMatch(/^cus_/);
    expect(created).toMatchObject({ object: 'customer', livemode: false, name: 'Ada', email: 'ada@example.com', metadata: { tenant: 't1' } });
    expect(typeof created.created).toBe('number');

    const fetched = await stripe.customers.retrieve(created.id);
    expect(fetched).toMatchObject({ id: created.id, name: 'Ada' });

    const updated = await stripe.customers.update(created.id, { name: 'Ada L.', metadata: { plan: 'pro' } });
    expect(updated.name).toBe('Ada L.');
    expect(updated.metadata).toEqual({ tenant: 't1', plan: 'pro' });

    const events = await stripe.events.list({ type: 'customer.updated', limit: 1 });
    const evt = events.data[0];
    expect(evt?.data.object).toMatchObject({ id: created.id, name: 'Ada L.' });
    expect(evt?.data.previous_attributes).toMatchObject({ name: 'Ada' });
  });

  it('answers 404 resource_missing for unknown ids', async () => {
    const err = await rejection(stripe.customers.retrieve('cus_doesnotexist'));
    expect(err.statusCode).toBe(404);
    expect(err.type).toBe('StripeInvalidRequestError');
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('id');
    expect(err.message).toBe("No such customer: 'cus_doesnotexist'");
  });

  it('rejects unknown parameters with parameter_unknown', async () => {
    const err = await rejection(stripe.customers.create({ name: 'x', nickname: 'y' } as Stripe.CustomerCreateParams));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('parameter_unknown');
    expect(err.param).toBe('nickname');
    expect(err.message).toBe('Received unknown parameter: nickname');
  });

  it('accepts expand[] and sets the default payment method', async () => {
    const customer = await stripe.customers.create({ name: 'E' });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const updated = await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: pm.id },
      expand: ['invoice_settings.default_payment_method'],
    });
    const dpm = updated.invoice_settings.default_payment_method as Stripe.PaymentMethod;
    expect(dpm.id).toBe(pm.id);
    expect(dpm.card?.last4).toBe('4242');
  });

  it('requires the API key', async () => {
    const res = await fetch(`${sandbox.url}/v1/customers/cus_x`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/You did not provide an API key/);

    const wrong = await rejection(new Stripe('sk_test_wrong', { host: '127.0.0.1', port: sandbox.port, protocol: 'http' }).customers.retrieve('cus_x'));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.type).toBe('StripeAuthenticationError');
  });
});

const attachable = [
  { token: 'pm_card_visa', brand: 'visa', last4: '4242' },
  { token: 'pm_card_mastercard', brand: 'mastercard', last4: '4444' },
  { token: 'pm_card_authenticationRequired', brand: 'visa', last4: '3184' },
  { token: 'pm_card_chargeCustomerFail', brand: 'visa', last4: '0341' },
] as const;

const declinedAtAttach = [
  { token: 'pm_card_chargeDeclined', code: 'card_declined', decline: 'generic_decline' },
  { token: 'pm_card_chargeDeclinedInsufficientFunds', code: 'card_declined', decline: 'insufficient_funds' },
  { token: 'pm_card_chargeDeclinedExpiredCard', code: 'expired_card', decline: 'expired_card' },
] as const;

describe('payment methods', () => {
  it.each(attachable)('attaches $token as a new pm_ with its card details', async ({ token, brand, last4 }) => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach(token, { customer: customer.id });
    expect(pm.id).toMatch(/^pm_/);
    expect(pm.id).not.toBe(token);
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: customer.id });
    expect(pm.card).toMatchObject({ brand, last4, exp_month: 12 });
    expect(pm.card?.exp_year).toBeGreaterThan(new Date().getUTCFullYear());

    const list = await stripe.customers.listPaymentMethods(customer.id);
    expect(list.data.map((p) => p.id)).toEqual([pm.id]);
    const list2 = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(list2.data.map((p) => p.id)).toEqual([pm.id]);
    expect((await stripe.paymentMethods.retrieve(pm.id)).customer).toBe(customer.id);
  });

  it.each(declinedAtAttach)('declines $token at attach, as Stripe test mode does', async ({ token, code, decline }) => {
    const customer = await stripe.customers.create({});
    const err = await rejection(stripe.paymentMethods.attach(token, { customer: customer.id }));
    expect(err.statusCode).toBe(402);
    expect(err.type).toBe('StripeCardError');
    expect(err.code).toBe(code);
    expect(err.decline_code).toBe(decline);
    expect((await stripe.customers.listPaymentMethods(customer.id)).data).toHaveLength(0);
  });

  it('detaches, clears the default and emits payment_method.detached', async () => {
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const detached = await stripe.paymentMethods.detach(pm.id);
    expect(detached.customer).toBeNull();
    const c = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(c.invoice_settings.default_payment_method).toBeNull();
    const types = sandbox.events.list().filter((e) => (e.data.object as { id: string }).id === pm.id).map((e) => e.type);
    expect(types).toEqual(['payment_method.attached', 'payment_method.detached']);
  });
});

describe('setup intents', () => {
  it.each(attachable.filter((c) => c.token !== 'pm_card_authenticationRequired'))('sets up $token and attaches it', async ({ token, last4 }) => {
    const customer = await stripe.customers.create({});
    const si = await stripe.setupIntents.create({ customer: customer.id, allowed_payment_method_types: ['card'], usage: 'off_session', metadata: { a: 'b' } });
    expect(si).toMatchObject({ object: 'setup_intent', status: 'requires_payment_method', usage: 'off_session', customer: customer.id });
    expect(si.client_secret).toMatch(new RegExp(`^${si.id}_secret_`));
    const confirmed = await stripe.setupIntents.confirm(si.id, { payment_method: token });
    expect(confirmed.status).toBe('succeeded');
    const pmId = confirmed.payment_method as string;
    expect(pmId).toMatch(/^pm_/);
    const pm = await stripe.paymentMethods.retrieve(pmId);
    expect(pm.customer).toBe(customer.id);
    expect(pm.card?.last4).toBe(last4);
    expect(sandbox.events.list({ type: 'setup_intent.succeeded' }).some((e) => (e.data.object as Stripe.SetupIntent).id === si.id)).toBe(true);
  });

  it('needs 3-D Secure for pm_card_authenticationRequired, then succeeds', async () => {
    const customer = await stripe.customers.create({});
    const si = await stripe.setupIntents.create({ customer: customer.id, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    const confirmed = await stripe.setupIntents.confirm(si.id, { payment_method: 'pm_card_authenticationRequired' });
    expect(confirmed.status).toBe('requires_action');
    expect(confirmed.next_action?.type).toBe('use_stripe_sdk');
    await sandbox.completeAuthentication(si.id, 'succeed');
    const done = await stripe.setupIntents.retrieve(si.id);
    expect(done.status).toBe('succeeded');
    expect((await stripe.customers.listPaymentMethods(customer.id)).data).toHaveLength(1);
  });

  it.each(declinedAtAttach)('fails to set up $token with a card_error', async ({ token, code, decline }) => {
    const customer = await stripe.customers.create({});
    const si = await stripe.setupIntents.create({ customer: customer.id, allowed_payment_method_types: ['card'] });
    const err = await rejection(stripe.setupIntents.confirm(si.id, { payment_method: token }));
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe(code);
    expect(err.decline_code).toBe(decline);
    const after = await stripe.setupIntents.retrieve(si.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_setup_error?.code).toBe(code);
  });
});

async function customerWith(token: string): Promise<{ customer: Stripe.Customer; pm: Stripe.PaymentMethod }> {
  const customer = await stripe.customers.create({});
  const pm = await stripe.paymentMethods.attach(token, { customer: customer.id });
  return { customer, pm };
}

describe('payment intents', () => {
  it.each(['pm_card_visa', 'pm_card_mastercard'])('charges %s off-session: succeeded with a succeeded charge', async (token) => {
    const { customer, pm } = await customerWith(token);
    const pi = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
      metadata: { invoice: 'inv_1' },
      description: 'Invoice 1',
    });
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 2500, amount_received: 2500, currency: 'usd', customer: customer.id, payment_method: pm.id });
    expect(pi.id).toMatch(/^pi_/);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', paid: true, captured: true, amount: 2500, payment_intent: pi.id, customer: customer.id });
    const expanded = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(charge.id);
  });

  it.each([
    { token: 'pm_card_chargeDeclined', code: 'card_declined', decline: 'generic_decline', direct: true },
    { token: 'pm_card_chargeDeclinedInsufficientFunds', code: 'card_declined', decline: 'insufficient_funds', direct: true },
    { token: 'pm_card_chargeDeclinedExpiredCard', code: 'expired_card', decline: 'expired_card', direct: true },
    { token: 'pm_card_chargeCustomerFail', code: 'card_declined', decline: 'generic_decline', direct: false },
  ])('declines $token with $code/$decline and a failed charge', async ({ token, code, decline, direct }) => {
    const customer = await stripe.customers.create({});
    // Always-declining cards cannot be attached, so they are charged straight from the test token.
    const pmId = direct ? token : (await stripe.paymentMethods.attach(token, { customer: customer.id })).id;
    const err = await rejection(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pmId, off_session: true, confirm: true }),
    );
    expect(err.statusCode).toBe(402);
    expect(err.type).toBe('StripeCardError');
    expect(err.code).toBe(code);
    expect(err.decline_code).toBe(decline);
    const pi = err.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error).toMatchObject({ code, decline_code: decline, type: 'card_error' });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ status: 'failed', paid: false, failure_code: code });
    expect((err.raw as { charge?: string }).charge).toBe(charge.id);
    expect(sandbox.events.list({ type: 'payment_intent.payment_failed' }).some((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id)).toBe(true);
  });

  it('3-D Secure: requires_action, then completeAuthentication succeed', async () => {
    const { customer, pm } = await customerWith('pm_card_authenticationRequired');
    const pi = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'eur',
      customer: customer.id,
      payment_method: pm.id,
      confirm: true,
      return_url: 'https://app.example/return',
    });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('redirect_to_url');
    expect(pi.client_secret).toMatch(/^pi_.+_secret_/);

    const onSession = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'eur',
      customer: customer.id,
      payment_method: pm.id,
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    expect(onSession.status).toBe('requires_action');
    expect(onSession.next_action?.type).toBe('use_stripe_sdk');

    await sandbox.completeAuthentication(pi.id, 'succeed');
    const done = await stripe.paymentIntents.retrieve(pi.id);
    expect(done.status).toBe('succeeded');
    expect(sandbox.charges.count({ paymentIntent: pi.id, status: 'succeeded' })).toBe(1);
    expect(sandbox.events.list({ type: 'payment_intent.requires_action' }).some((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id)).toBe(true);
  });

  it('3-D Secure: the HTTP authenticate endpoint with outcome=fail', async () => {
    const { customer, pm } = await customerWith('pm_card_authenticationRequired');
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer: customer.id, payment_method: pm.id });
    const confirmed = await stripe.paymentIntents.confirm(pi.id, { return_url: 'https://app.example/return' });
    expect(confirmed.status).toBe('requires_action');
    const res = await fetch(`${sandbox.url}/v1/sandbox/payment_intents/${pi.id}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=fail',
    });
    expect(res.status).toBe(200);
    const failed = await stripe.paymentIntents.retrieve(pi.id);
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.last_payment_error?.code).toBe('payment_intent_authentication_failure');
    expect(sandbox.charges.count({ paymentIntent: pi.id, status: 'succeeded' })).toBe(0);
  });

  it('off-session pm_card_authenticationRequired: 402 authentication_required with the payment intent', async () => {
    const { customer, pm } = await customerWith('pm_card_authenticationRequired');
    const err = await rejection(
      stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true }),
    );
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe('authentication_required');
    expect(err.decline_code).toBe('authentication_required');
    const pi = err.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error?.code).toBe('authentication_required');
    // The customer can come back on-session and authenticate the same intent.
    const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: pm.id, return_url: 'https://app.example/return' });
    expect(retried.status).toBe('requires_action');
  });

  it('requires return_url for on-session confirmation with redirect-capable automatic payment methods', async () => {
    const err = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }));
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('return_url');
  });

  it('cancels an intent and refuses to cancel a succeeded one', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(pi.status).toBe('requires_payment_method');
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled.status).toBe('canceled');
    const { customer, pm } = await customerWith('pm_card_visa');
    const ok = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    const err = await rejection(stripe.paymentIntents.cancel(ok.id));
    expect(err.code).toBe('payment_intent_unexpected_state');
  });

  it('rejects amounts under Stripe’s minimum', async () => {
    const err = await rejection(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(err.code).toBe('amount_too_small');
  });
});

describe('refunds and disputes', () => {
  it('refunds partially then fully, emitting charge.refunded; then refuses more', async () => {
    const { customer, pm } = await customerWith('pm_card_visa');
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    expect(r1).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: pi.id, charge: pi.latest_charge });
    expect(r1.id).toMatch(/^re_/);
    expect((await stripe.refunds.retrieve(r1.id)).amount).toBe(1000);
    const r2 = await stripe.refunds.create({ charge: pi.latest_charge as string });
    expect(r2.amount).toBe(2000);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 3000, refunded: true });
    const err = await rejection(stripe.refunds.create({ payment_intent: pi.id }));
    expect(err.code).toBe('charge_already_refunded');
    expect(sandbox.events.list({ type: 'charge.refunded' }).filter((e) => (e.data.object as Stripe.Charge).id === charge.id)).toHaveLength(2);
  });

  it('creates a dispute through the sandbox endpoint', async () => {
    const { customer, pm } = await customerWith('pm_card_visa');
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    const res = await stripe.rawRequest('POST', `/v1/sandbox/charges/${String(pi.latest_charge)}/dispute`, { reason: 'fraudulent' });
    const dispute = res as unknown as Stripe.Dispute;
    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute).toMatchObject({ object: 'dispute', charge: pi.latest_charge, amount: 3000, reason: 'fraudulent', status: 'needs_response' });
    const evt = sandbox.events.list({ type: 'charge.dispute.created' }).at(-1);
    expect((evt?.data.object as Stripe.Dispute).id).toBe(dispute.id);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
  });
});

describe('object shapes', () => {
  it('answers objects with every field Stripe’s samples have', async () => {
    const customer = await stripe.customers.create({ email: 'shape@example.com' });
    expectStripeShape('customer', customer);
    const si = await stripe.setupIntents.create({ customer: customer.id, confirm: true, payment_method: 'pm_card_visa', return_url: 'https://app.example/r' });
    expectStripeShape('setup_intent', si);
    const pm = await stripe.paymentMethods.retrieve(si.payment_method as string);
    expectStripeShape('payment_method', pm);
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    expectStripeShape('payment_intent', pi);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expectStripeShape('charge', charge);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    expectStripeShape('refund', refund);
    const dispute = (await stripe.rawRequest('POST', `/v1/sandbox/charges/${charge.id}/dispute`, {})) as unknown as Stripe.Dispute;
    expectStripeShape('dispute', dispute);
    const events = await stripe.events.list({ limit: 3 });
    expect(events.object).toBe('list');
    expect(events.data).toHaveLength(3);
    expect(events.has_more).toBe(true);
    for (const e of events.data) expectStripeShape('event', e);
    const page2 = await stripe.events.list({ limit: 3, starting_after: events.data[2]!.id });
    expect(page2.data[0]!.created).toBeLessThanOrEqual(events.data[2]!.created);
    expect(page2.data.map((e) => e.id)).not.toContain(events.data[2]!.id);
  });
});

describe('idempotency', () => {
  it('replays the stored answer for the same key and params', async () => {
    const { customer, pm } = await customerWith('pm_card_visa');
    const params: Stripe.PaymentIntentCreateParams = { amount: 5000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-replay-1' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-replay-1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(sandbox.paymentIntents.count({ customer: customer.id })).toBe(1);
    expect(sandbox.charges.count({ customer: customer.id })).toBe(1);
  });

  it('replays declines too', async () => {
    const customer = await stripe.customers.create({});
    const params: Stripe.PaymentIntentCreateParams = { amount: 5000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_chargeDeclined', off_session: true, confirm: true };
    const e1 = await rejection(stripe.paymentIntents.create(params, { idempotencyKey: 'key-decline-1' }));
    const e2 = await rejection(stripe.paymentIntents.create(params, { idempotencyKey: 'key-decline-1' }));
    expect(e2.statusCode).toBe(402);
    expect((e2.payment_intent as Stripe.PaymentIntent).id).toBe((e1.payment_intent as Stripe.PaymentIntent).id);
    expect(sandbox.charges.count({ customer: customer.id })).toBe(1);
  });

  it('rejects the same key with different params', async () => {
    const customer = await stripe.customers.create({});
    await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id }, { idempotencyKey: 'key-mismatch-1' });
    const err = await rejection(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id }, { idempotencyKey: 'key-mismatch-1' }));
    expect(err.statusCode).toBe(400);
    expect(err.type).toBe('StripeIdempotencyError');
    expect(err.message).toMatch(/same parameters/);
  });

  it('does not save validation failures', async () => {
    const e1 = await rejection(stripe.customers.create({ bogus: 1 } as Stripe.CustomerCreateParams, { idempotencyKey: 'key-invalid-1' }));
    expect(e1.code).toBe('parameter_unknown');
    const ok = await stripe.customers.create({ bogus: 1 } as Stripe.CustomerCreateParams, { idempotencyKey: 'key-invalid-1' }).catch((e: unknown) => e);
    expect((ok as Stripe.errors.StripeError).code).toBe('parameter_unknown');
  });
});

describe('webhooks', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.statuses.length = 0;
  });

  it('delivers events signed so stripe.webhooks.constructEvent accepts them', async () => {
    sandbox.setWebhookUrl(receiver.url);
    const customer = await stripe.customers.create({}, { idempotencyKey: 'key-webhook-1' });
    await stripe.customers.update(customer.id, { email: 'new@example.com' });
    await receiver.waitFor(1);
    const { body, signature } = receiver.received[0]!;
    const event = stripe.webhooks.constructEvent(body, signature, sandbox.webhookSecret);
    expect(event).toMatchObject({ object: 'event', type: 'customer.updated', livemode: false, api_version: '2026-10-28.endive', pending_webhooks: 1 });
    expect(event.id).toMatch(/^evt_/);
    expect((event.data.object as Stripe.Customer).email).toBe('new@example.com');
    expect(event.request?.id).toMatch(/^req_/);
    expect(() => stripe.webhooks.constructEvent(body, signature, 'whsec_wrong')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const fromApi = await stripe.events.retrieve(event.id);
    expect(fromApi.id).toBe(event.id);
  });

  it('delivers in creation order', async () => {
    sandbox.setWebhookUrl(receiver.url);
    const { customer, pm } = await customerWith('pm_card_visa');
    await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    await stripe.refunds.create({ payment_intent: sandbox.paymentIntents.list({ customer: customer.id })[0]?.id ?? '' });
    await sandbox.webhooks.idle();
    const types = receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).type);
    expect(types).toEqual(['payment_method.attached', 'payment_intent.succeeded', 'charge.refunded']);
  });

  it('retries with backoff while the receiver answers 500', async () => {
    sandbox.setWebhookUrl(receiver.url);
    receiver.statuses.push(500, 500);
    const customer = await stripe.customers.create({});
    await stripe.customers.update(customer.id, { name: 'retried' });
    await sandbox.webhooks.idle();
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as Stripe.Event).id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    const attempts = sandbox.webhooks.deliveries().filter((d) => d.eventId === ids[0]);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Backoff: ~100 ms then ~200 ms between attempts.
    const gap1 = attempts[1]!.at.getTime() - attempts[0]!.at.getTime();
    const gap2 = attempts[2]!.at.getTime() - attempts[1]!.at.getTime();
    expect(gap1).toBeGreaterThanOrEqual(90);
    expect(gap2).toBeGreaterThanOrEqual(190);
    const stored = await stripe.events.retrieve(ids[0]!);
    expect(stored.pending_webhooks).toBe(0);
  });

  it('keeps retrying while the receiver is unreachable, and stops on stop()', async () => {
    const other = await startSandboxStripe({ log, webhookUrl: 'http://127.0.0.1:9/unreachable' });
    const otherClient = new Stripe(other.secretKey, { host: '127.0.0.1', port: other.port, protocol: 'http' });
    const customer = await otherClient.customers.create({});
    await otherClient.customers.update(customer.id, { name: 'x' });
    await new Promise((r) => setTimeout(r, 400));
    const attempts = other.webhooks.deliveries();
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.every((a) => a.status === null)).toBe(true);
    await other.stop();
    const after = other.webhooks.deliveries().length;
    await new Promise((r) => setTimeout(r, 500));
    expect(other.webhooks.deliveries().length).toBe(after);
  });

  it('duplicates and holds events on request', async () => {
    sandbox.setWebhookUrl(receiver.url);
    const customer = await stripe.customers.create({});
    const release = sandbox.faults.webhooks.holdNext();
    sandbox.faults.webhooks.duplicateNext(1);
    await stripe.customers.update(customer.id, { name: 'first' });
    await stripe.customers.update(customer.id, { name: 'second' });
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    const names = (): Array<string | null | undefined> => receiver.received.map((r) => ((JSON.parse(r.body) as Stripe.Event).data.object as Stripe.Customer).name);
    expect(names()).toEqual(['second']);
    release();
    await sandbox.webhooks.idle();
    // The held first event arrives last, twice.
    expect(names()).toEqual(['second', 'first', 'first']);
  });
});

describe('fault injection', () => {
  it('a 500 fault answers api_error without performing the operation', async () => {
    const customer = await stripe.customers.create({});
    sandbox.faults.failNext({ method: 'POST', path: '/v1/payment_intents', kind: { status: 500 } });
    const err = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', off_session: true, confirm: true }));
    expect(err.statusCode).toBe(500);
    expect(err.type).toBe('StripeAPIError');
    expect(sandbox.paymentIntents.count({ customer: customer.id })).toBe(0);
    expect(sandbox.charges.count({ customer: customer.id })).toBe(0);
  });

  it('the SDK’s own retry after a 500 fault succeeds with one charge', async () => {
    const customer = await stripe.customers.create({});
    sandbox.faults.failNext({ path: /^\/v1\/payment_intents$/, kind: { status: 500 } });
    const retrying = client({ maxNetworkRetries: 2 });
    const pi = await retrying.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', off_session: true, confirm: true });
    expect(pi.status).toBe('succeeded');
    expect(sandbox.charges.count({ customer: customer.id })).toBe(1);
  });

  it('a hang fault performs the operation; the idempotent retry returns the same intent (charged once)', async () => {
    const { customer, pm } = await customerWith('pm_card_visa');
    sandbox.faults.failNext({ method: 'POST', path: '/v1/payment_intents', kind: { hangMs: 2_000 } });
    const impatient = client({ timeout: 200 });
    const params: Stripe.PaymentIntentCreateParams = { amount: 7000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true };
    const err = await rejection(impatient.paymentIntents.create(params, { idempotencyKey: 'key-hang-1' }));
    expect(err.type).toBe('StripeConnectionError');
    expect(sandbox.charges.count({ customer: customer.id, status: 'succeeded' })).toBe(1);
    const retried = await impatient.paymentIntents.create(params, { idempotencyKey: 'key-hang-1' });
    expect(retried.status).toBe('succeeded');
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(sandbox.paymentIntents.list({ customer: customer.id }).map((p) => p.id)).toEqual([retried.id]);
    expect(sandbox.charges.count({ customer: customer.id })).toBe(1);
  });

  it('a delay fault slows the answer but succeeds', async () => {
    sandbox.faults.failNext({ method: 'GET', path: /^\/v1\/customers\//, kind: { delayMs: 150 } });
    const customer = await stripe.customers.create({});
    const started = Date.now();
    await stripe.customers.retrieve(customer.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

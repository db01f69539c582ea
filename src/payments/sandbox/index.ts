/**
 * A Stripe-compatible sandbox payment server for running without STRIPE_SECRET_KEY: the official
 * `stripe` SDK is pointed at it (`host: '127.0.0.1', port, protocol: 'http'`) and it answers like
 * Stripe's test mode for the calls the app makes, including test cards, 3-D Secure, idempotency,
 * events and signed webhooks, plus fault injection for tests. State lives in memory only.
 *
 * Behaviour chosen to mirror Stripe's test mode (see cards.ts / engine.ts):
 * - `pm_card_*` tokens become a fresh `pm_...` each time they are used (attach, intent, setup).
 * - Attaching / setting up runs a card check: the always-declining cards (chargeDeclined*,
 *   ExpiredCard) already fail there with 402; `pm_card_chargeCustomerFail` attaches and then fails
 *   every charge; `pm_card_authenticationRequired` attaches, but a SetupIntent and every on-session
 *   charge go to `requires_action`; off-session (or with error_on_requires_action) it is a 402
 *   `authentication_required` with the PaymentIntent back in `requires_payment_method`.
 * - On-session server-side confirmation with redirect-capable automatic payment methods needs
 *   `return_url` (Stripe's own rule); off-session confirmation does not.
 * - Idempotency: POSTs with the same key and params replay the saved answer (also declines) with
 *   `Idempotent-Replayed: true`; different params or endpoint → 400 idempotency_error; a key still in
 *   progress → 409; validation failures are not saved. Keys expire after 24 h of the injected clock.
 * - Events emitted: customer.updated, payment_method.attached/detached, setup_intent.succeeded/
 *   setup_failed/requires_action/canceled, payment_intent.succeeded/payment_failed/requires_action/
 *   canceled, charge.refunded, charge.dispute.created. (No *.created / charge.succeeded events.)
 * Not implemented: manual capture, non-card payment methods, customer deletion, invoices and
 * subscriptions, PaymentMethod creation from raw card data, search endpoints.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from '../../log/logger.js';
import { Engine } from './engine.js';
import { SandboxApiError } from './errors.js';
import { EventBus, type DeliveryRecord } from './events.js';
import { Faults } from './faults.js';
import { SandboxHttpServer } from './server.js';
import { snapshot, Store } from './store.js';

export type { FaultKind, FaultRule, WebhookFaults } from './faults.js';
export type { Faults } from './faults.js';
export type { DeliveryRecord } from './events.js';
export { signPayload, API_VERSION } from './events.js';
export { allTestCards, testCard, type TestCard } from './cards.js';

export interface SandboxStripeOptions {
  log: Logger;
  /** Where events are POSTed; may also be set later with setWebhookUrl. */
  webhookUrl?: string;
  /** `whsec_...` used to sign webhooks; generated when absent. */
  webhookSecret?: string;
  /** Clock for object `created` times and idempotency-key expiry (webhook signatures use the wall clock). */
  now?: () => Date;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** API key the sandbox accepts (default `sk_test_sandbox`). */
  secretKey?: string;
}

/** Read-only view of one kind of object, in creation order (oldest first), as deep copies. */
export interface Ledger<T, F> {
  list(filter?: F): T[];
  get(id: string): T | undefined;
  count(filter?: F): number;
}

export interface CustomerFilter {
  customer?: string;
}
export interface ChargeFilter {
  customer?: string;
  paymentIntent?: string;
  status?: 'succeeded' | 'failed' | 'pending';
}
export interface EventFilter {
  type?: string;
}

export interface SandboxStripe {
  host: '127.0.0.1';
  port: number;
  url: string;
  secretKey: string;
  webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  faults: Faults;
  /** Finish 3-D Secure for a PaymentIntent (or SetupIntent) in requires_action, like the customer would. */
  completeAuthentication(intentId: string, outcome: 'succeed' | 'fail'): Promise<void>;
  customers: Ledger<Stripe.Customer, never>;
  paymentMethods: Ledger<Stripe.PaymentMethod, CustomerFilter>;
  setupIntents: Ledger<Stripe.SetupIntent, CustomerFilter>;
  paymentIntents: Ledger<Stripe.PaymentIntent, CustomerFilter>;
  charges: Ledger<Stripe.Charge, ChargeFilter>;
  refunds: Ledger<Stripe.Refund, { paymentIntent?: string }>;
  events: Ledger<Stripe.Event, EventFilter>;
  webhooks: {
    /** Every delivery attempt so far, in order. */
    deliveries(): DeliveryRecord[];
    /** Resolves once all queued webhooks were delivered or given up (held events count as pending). */
    idle(): Promise<void>;
  };
  /** Forget all objects, idempotency keys and faults (the server keeps running). */
  reset(): void;
  stop(): Promise<void>;
}

function idOf(v: string | { id: string } | null | undefined): string | null {
  return v == null ? null : typeof v === 'string' ? v : v.id;
}

function ledger<T extends { id: string }, F>(map: Map<string, T>, matches: (item: T, filter: F) => boolean): Ledger<T, F> {
  const list = (filter?: F): T[] => [...map.values()].filter((x) => filter === undefined || matches(x, filter)).map((x) => snapshot(x));
  return {
    list,
    get: (id) => {
      const v = map.get(id);
      return v === undefined ? undefined : snapshot(v);
    },
    count: (filter) => list(filter).length,
  };
}

export async function startSandboxStripe(opts: SandboxStripeOptions): Promise<SandboxStripe> {
  const log = opts.log.child({ component: 'sandbox-stripe' });
  const now = opts.now ?? (() => new Date());
  const secretKey = opts.secretKey ?? 'sk_test_sandbox';
  const webhook = { url: opts.webhookUrl, secret: opts.webhookSecret ?? `whsec_${randomBytes(24).toString('hex')}` };
  const store = new Store();
  const faults = new Faults();
  const events = new EventBus(store, log, now, faults.webhooks, webhook);
  const engine = new Engine(store, events, now);
  const http = new SandboxHttpServer({ engine, store, faults, log, now, secretKey });

  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.server.off('error', reject);
      resolve();
    });
  });
  const port = (http.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  engine.baseUrl = url;
  log.info({ url }, 'sandbox stripe: listening');

  const byCustomer = <T extends { customer: string | { id: string } | null }>(x: T, f: CustomerFilter): boolean =>
    !f.customer || idOf(x.customer) === f.customer;

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    url,
    secretKey,
    webhookSecret: webhook.secret,
    setWebhookUrl(next) {
      webhook.url = next;
    },
    faults,
    async completeAuthentication(intentId, outcome) {
      try {
        engine.completeAuthentication(intentId, outcome, { id: null, idempotencyKey: null });
      } catch (err) {
        if (err instanceof SandboxApiError) throw new Error(`sandbox stripe: ${err.body.message}`);
        throw err;
      }
    },
    customers: ledger(store.customers, () => true),
    paymentMethods: ledger(store.paymentMethods, byCustomer),
    setupIntents: ledger(store.setupIntents, byCustomer),
    paymentIntents: ledger(store.paymentIntents, byCustomer),
    charges: ledger(store.charges, (c, f: ChargeFilter) => byCustomer(c, f) && (!f.paymentIntent || idOf(c.payment_intent) === f.paymentIntent) && (!f.status || c.status === f.status)),
    refunds: ledger(store.refunds, (r, f: { paymentIntent?: string }) => !f.paymentIntent || idOf(r.payment_intent) === f.paymentIntent),
    events: ledger(store.events, (e, f: EventFilter) => !f.type || e.type === f.type),
    webhooks: {
      deliveries: () => events.deliveries.map((d) => ({ ...d })),
      idle: () => events.idle(),
    },
    reset() {
      store.clear();
      faults.clear();
      http.clearIdempotency();
      events.deliveries.length = 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      events.stop();
      http.stop();
      // Hanging answers and keep-alive sockets would keep close() waiting.
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      log.info('sandbox stripe: stopped');
    },
  };
}

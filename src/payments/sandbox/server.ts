/**
 * HTTP side of the sandbox: Stripe's paths, Bearer auth, form-encoded bodies (qs bracket notation),
 * parameter checking, Idempotency-Key replay, fault injection and JSON answers in Stripe's shapes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import qs from 'qs';
import type { Logger } from 'pino';
import type { Engine } from './engine.js';
import { apiError, invalidRequest, notFoundRoute, SandboxApiError, type StripeErrorBody } from './errors.js';
import type { RequestInfo } from './events.js';
import type { Faults } from './faults.js';
import { expand } from './lists.js';
import { checkAllowed, expandList, optEnum, type ParamSpec, type Params } from './params.js';
import { randomId, snapshot, type Store } from './store.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

type Method = 'GET' | 'POST' | 'DELETE';

interface Route {
  method: Method;
  pattern: RegExp;
  spec: ParamSpec;
  /** Sandbox-only endpoints: no API key needed (a browser finishing 3-D Secure has none). */
  open?: boolean;
  run(ctx: { params: Params; ids: string[]; req: RequestInfo }): unknown;
}

interface StoredAnswer {
  method: string;
  path: string;
  paramsHash: string;
  createdAt: number;
  /** Undefined while the first request with this key is still running. */
  answer?: { status: number; body: unknown; requestId: string };
}

const metadata = 'map' as const;
const address: ParamSpec = { city: true, country: true, line1: true, line2: true, postal_code: true, state: true };
const customerSpec: ParamSpec = {
  name: true,
  email: true,
  description: true,
  phone: true,
  metadata,
  address,
  preferred_locales: 'list',
  invoice_settings: { default_payment_method: true, footer: true },
};
const apmSpec: ParamSpec = { enabled: true, allow_redirects: true };
const listSpec: ParamSpec = { limit: true, starting_after: true, ending_before: true };
const cardOptions: ParamSpec = { card: { request_three_d_secure: true } };
const piConfirmSpec: ParamSpec = {
  payment_method: true,
  off_session: true,
  error_on_requires_action: true,
  return_url: true,
  use_stripe_sdk: true,
  receipt_email: true,
  setup_future_usage: true,
  payment_method_options: cardOptions,
};

export function buildRoutes(engine: Engine): Route[] {
  const id = (ids: string[]): string => ids[0] ?? '';
  return [
    // customers
    { method: 'POST', pattern: /^\/v1\/customers$/, spec: { ...customerSpec, payment_method: true }, run: ({ params, req }) => engine.createCustomer(params, req) },
    { method: 'GET', pattern: /^\/v1\/customers$/, spec: { ...listSpec, email: true }, run: ({ params }) => engine.listCustomers(params) },
    { method: 'GET', pattern: /^\/v1\/customers\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.getCustomer(id(ids)) },
    { method: 'POST', pattern: /^\/v1\/customers\/([^/]+)$/, spec: customerSpec, run: ({ ids, params, req }) => engine.updateCustomer(id(ids), params, req) },
    {
      method: 'GET',
      pattern: /^\/v1\/customers\/([^/]+)\/payment_methods$/,
      spec: { ...listSpec, type: true, allow_redisplay: true },
      run: ({ ids, params }) => engine.listCustomerPaymentMethods(id(ids), params),
    },
    // payment methods
    { method: 'GET', pattern: /^\/v1\/payment_methods$/, spec: { ...listSpec, customer: true, type: true }, run: ({ params }) => engine.listPaymentMethods(params) },
    { method: 'GET', pattern: /^\/v1\/payment_methods\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.resolvePaymentMethod(id(ids), 'id') },
    { method: 'POST', pattern: /^\/v1\/payment_methods\/([^/]+)\/attach$/, spec: { customer: true }, run: ({ ids, params, req }) => engine.attachPaymentMethod(id(ids), params, req) },
    { method: 'POST', pattern: /^\/v1\/payment_methods\/([^/]+)\/detach$/, spec: {}, run: ({ ids, req }) => engine.detachPaymentMethod(id(ids), req) },
    // setup intents
    {
      method: 'POST',
      pattern: /^\/v1\/setup_intents$/,
      spec: {
        customer: true,
        payment_method: true,
        payment_method_types: 'list',
        allowed_payment_method_types: 'list',
        automatic_payment_methods: apmSpec,
        usage: true,
        metadata,
        description: true,
        confirm: true,
        return_url: true,
        use_stripe_sdk: true,
        payment_method_options: cardOptions,
      },
      run: ({ params, req }) => engine.createSetupIntent(params, req),
    },
    { method: 'GET', pattern: /^\/v1\/setup_intents\/([^/]+)$/, spec: { client_secret: true }, run: ({ ids }) => engine.getSetupIntent(id(ids)) },
    {
      method: 'POST',
      pattern: /^\/v1\/setup_intents\/([^/]+)\/confirm$/,
      spec: { payment_method: true, return_url: true, use_stripe_sdk: true, payment_method_options: cardOptions },
      run: ({ ids, params, req }) => engine.confirmSetupIntent(id(ids), params, req),
    },
    { method: 'POST', pattern: /^\/v1\/setup_intents\/([^/]+)\/cancel$/, spec: { cancellation_reason: true }, run: ({ ids, params, req }) => engine.cancelSetupIntent(id(ids), params, req) },
    // payment intents
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents$/,
      spec: {
        ...piConfirmSpec,
        amount: true,
        currency: true,
        customer: true,
        confirm: true,
        metadata,
        description: true,
        automatic_payment_methods: apmSpec,
        payment_method_types: 'list',
        allowed_payment_method_types: 'list',
        capture_method: true,
        statement_descriptor_suffix: true,
      },
      run: ({ params, req }) => engine.createPaymentIntent(params, req),
    },
    { method: 'GET', pattern: /^\/v1\/payment_intents$/, spec: { ...listSpec, customer: true }, run: ({ params }) => engine.listPaymentIntents(params) },
    { method: 'GET', pattern: /^\/v1\/payment_intents\/([^/]+)$/, spec: { client_secret: true }, run: ({ ids }) => engine.getPaymentIntent(id(ids)) },
    {
      method: 'POST',
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      spec: { amount: true, description: true, metadata, payment_method: true },
      run: ({ ids, params }) => engine.updatePaymentIntent(id(ids), params),
    },
    { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/, spec: piConfirmSpec, run: ({ ids, params, req }) => engine.confirmPaymentIntent(id(ids), params, req) },
    { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/, spec: { cancellation_reason: true }, run: ({ ids, params, req }) => engine.cancelPaymentIntent(id(ids), params, req) },
    // charges, refunds, disputes
    { method: 'GET', pattern: /^\/v1\/charges$/, spec: { ...listSpec, customer: true, payment_intent: true }, run: ({ params }) => engine.listCharges(params) },
    { method: 'GET', pattern: /^\/v1\/charges\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.getCharge(id(ids)) },
    {
      method: 'POST',
      pattern: /^\/v1\/refunds$/,
      spec: { payment_intent: true, charge: true, amount: true, reason: true, metadata },
      run: ({ params, req }) => engine.createRefund(params, req),
    },
    { method: 'GET', pattern: /^\/v1\/refunds$/, spec: { ...listSpec, charge: true, payment_intent: true }, run: ({ params }) => engine.listRefunds(params) },
    { method: 'GET', pattern: /^\/v1\/refunds\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.getRefund(id(ids)) },
    { method: 'GET', pattern: /^\/v1\/disputes\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.getDispute(id(ids)) },
    // events
    {
      method: 'GET',
      pattern: /^\/v1\/events$/,
      spec: { ...listSpec, type: true, types: 'list', created: true },
      run: ({ params }) => engine.listEvents(params),
    },
    { method: 'GET', pattern: /^\/v1\/events\/([^/]+)$/, spec: {}, run: ({ ids }) => engine.getEvent(id(ids)) },
    // sandbox-only
    {
      method: 'POST',
      pattern: /^\/v1\/sandbox\/(?:payment_intents|setup_intents)\/([^/]+)\/authenticate$/,
      spec: { outcome: true },
      open: true,
      run: ({ ids, params, req }) => engine.completeAuthentication(id(ids), optEnum(params, 'outcome', ['succeed', 'fail'] as const) ?? 'succeed', req),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/sandbox\/charges\/([^/]+)\/dispute$/,
      spec: { reason: true, amount: true },
      run: ({ ids, params, req }) => engine.createDispute(id(ids), params, req),
    },
  ];
}

/** `created` in events may be an int or a range object; the generic checker only knows leaves. */
function relaxSpec(spec: ParamSpec, params: Params): ParamSpec {
  if (spec['created'] === true && typeof params['created'] === 'object') return { ...spec, created: { gt: true, gte: true, lt: true, lte: true } };
  return spec;
}

function stableHash(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canon(value))).digest('hex');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface HttpServerDeps {
  engine: Engine;
  store: Store;
  faults: Faults;
  log: Logger;
  now: () => Date;
  secretKey: string;
}

export class SandboxHttpServer {
  readonly server: Server;
  private readonly routes: Route[];
  private readonly idempotency = new Map<string, StoredAnswer>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: HttpServerDeps) {
    this.routes = buildRoutes(deps.engine);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        deps.log.error({ err }, 'sandbox stripe: request failed');
        if (!res.headersSent) this.send(res, 500, { error: apiError().body }, randomId('req', 14));
      });
    });
  }

  clearIdempotency(): void {
    this.idempotency.clear();
  }

  /** Cancel hanging answers (their sockets are closed by the caller). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private send(res: ServerResponse, status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    const json = JSON.stringify(body, null, 2);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'request-id': requestId,
      'stripe-version': '2026-10-28.endive',
      'access-control-allow-origin': '*',
      ...extra,
    });
    res.end(json);
  }

  private authorized(req: IncomingMessage): { ok: true } | { ok: false; error: StripeErrorBody } {
    const auth = header(req, 'authorization');
    let key: string | undefined;
    if (auth?.startsWith('Bearer ')) key = auth.slice('Bearer '.length).trim();
    else if (auth?.startsWith('Basic ')) key = Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8').split(':')[0];
    if (!key) {
      return {
        ok: false,
        error: {
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        },
      };
    }
    if (key !== this.deps.secretKey) {
      const shown = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
      return { ok: false, error: { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${shown}` } };
    }
    return { ok: true };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomId('req', 14);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const log = this.deps.log.child({ requestId, method, path });
    const raw = await readBody(req);

    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, DELETE',
        'access-control-allow-headers': 'authorization, content-type, idempotency-key, stripe-version',
      });
      res.end();
      return;
    }

    let ids: string[] = [];
    const route = this.routes.find((r) => {
      if (r.method !== method) return false;
      const m = r.pattern.exec(path);
      if (m) ids = m.slice(1).map((s) => decodeURIComponent(s));
      return m !== null;
    });

    if (!route?.open) {
      const auth = this.authorized(req);
      if (!auth.ok) {
        this.send(res, 401, { error: auth.error }, requestId);
        return;
      }
    }
    if (!route) {
      this.send(res, 404, { error: notFoundRoute(method, path).body }, requestId);
      return;
    }

    const fault = this.deps.faults.take(method, path);
    if (fault && 'status' in fault) {
      // Fails before anything is performed or saved, like a Stripe-side 5xx at the front door.
      log.info({ fault }, 'sandbox stripe: injected error');
      this.send(res, fault.status, { error: apiError('An unknown error occurred (sandbox fault injection).').body }, requestId);
      return;
    }
    const params = (method === 'POST' ? qs.parse(raw, { depth: 10, arrayLimit: 100, parameterLimit: 2000 }) : qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 100 })) as Params;
    const idempotencyKey = method === 'POST' ? (header(req, 'idempotency-key') ?? null) : null;
    const info: RequestInfo = { id: requestId, idempotencyKey };
    const echo: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};

    let stored: StoredAnswer | undefined;
    if (idempotencyKey) {
      const nowMs = this.deps.now().getTime();
      const hash = stableHash(params);
      const prior = this.idempotency.get(idempotencyKey);
      if (prior && prior.createdAt + IDEMPOTENCY_TTL_MS > nowMs) {
        const error = this.idempotencyConflict(prior, method, path, hash, idempotencyKey);
        if (error) {
          this.send(res, error.status, { error: error.body }, requestId, echo);
          return;
        }
        if (prior.answer) {
          log.debug({ idempotencyKey }, 'sandbox stripe: idempotent replay');
          await this.answer(res, prior.answer.status, prior.answer.body, requestId, { ...echo, 'idempotent-replayed': 'true', 'original-request': prior.answer.requestId }, fault);
          return;
        }
      }
      stored = { method, path, paramsHash: hash, createdAt: nowMs };
      this.idempotency.set(idempotencyKey, stored);
      this.expireIdempotency(nowMs);
    }

    // A slow Stripe: the key is already reserved, so a concurrent retry gets 409 meanwhile.
    if (fault && 'delayMs' in fault) await this.sleep(fault.delayMs);

    let status = 200;
    let body: unknown;
    let save = true;
    try {
      checkAllowed(params, relaxSpec(route.spec, params));
      const result = route.run({ params, ids, req: info });
      body = expand(snapshot(result), expandList(params), this.deps.store);
    } catch (err) {
      if (!(err instanceof SandboxApiError)) throw err;
      status = err.status;
      body = { error: err.body };
      save = !err.beforeExecution;
    }
    if (stored && idempotencyKey) {
      if (save) stored.answer = { status, body, requestId };
      else this.idempotency.delete(idempotencyKey);
    }
    log.debug({ status, ms: Date.now() - started }, 'sandbox stripe: request');
    await this.answer(res, status, body, requestId, echo, fault);
  }

  /** A hang fault answers only after the client has given up; the operation already happened. */
  private async answer(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string>, fault: ReturnType<Faults['take']>): Promise<void> {
    if (fault && 'hangMs' in fault) {
      this.deps.log.info({ hangMs: fault.hangMs }, 'sandbox stripe: injected hang after performing the operation');
      await this.sleep(fault.hangMs);
    }
    this.send(res, status, body, requestId, headers);
  }

  private idempotencyConflict(prior: StoredAnswer, method: string, path: string, hash: string, key: string): SandboxApiError | undefined {
    if (prior.method !== method || prior.path !== path) {
      return new SandboxApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${prior.method} ${prior.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (prior.paramsHash !== hash) {
      return new SandboxApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (!prior.answer) {
      return invalidRequest(
        `There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        { status: 409, code: 'idempotency_key_in_use' },
      );
    }
    return undefined;
  }

  private expireIdempotency(nowMs: number): void {
    for (const [key, entry] of this.idempotency) {
      if (entry.createdAt + IDEMPOTENCY_TTL_MS <= nowMs) this.idempotency.delete(key);
    }
  }
}

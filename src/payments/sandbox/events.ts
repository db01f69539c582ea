/**
 * Stripe `event` objects and their signed webhook delivery.
 *
 * Delivery: first attempts go out one at a time in creation order; a failed attempt (non-2xx or
 * unreachable) is retried on its own timer with exponential backoff, so — as with Stripe — a retried
 * event can arrive after later events. Signatures use Stripe's scheme
 * (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>`), with t from the wall clock
 * (not the injected clock) because receivers check it against their own clock with a 5-minute tolerance.
 */
import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from 'pino';
import type { WebhookFaults } from './faults.js';
import { randomId, snapshot, type Store } from './store.js';

/** The API version of the bundled `stripe` SDK; events are rendered in it. */
export const API_VERSION = '2026-10-28.endive';

export const RETRY_START_MS = 100;
export const RETRY_CAP_MS = 5_000;
export const MAX_ATTEMPTS = 10;
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  attempt: number;
  /** HTTP status from the receiver, or null when it was unreachable / timed out. */
  status: number | null;
  at: Date;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export class EventBus {
  private queue: Stripe.Event[] = [];
  private pumping = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  readonly deliveries: DeliveryRecord[] = [];
  private idleWaiters: Array<() => void> = [];
  private inFlight = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly faults: WebhookFaults,
    private readonly webhook: { url: string | undefined; secret: string },
  ) {}

  /** Record an event for `object` (snapshotted now) and queue it for delivery. */
  emit(type: string, object: { id: string }, request: RequestInfo, previousAttributes?: Record<string, unknown>): Stripe.Event {
    const data: { object: unknown; previous_attributes?: Record<string, unknown> } = { object: snapshot(object) };
    if (previousAttributes) data.previous_attributes = snapshot(previousAttributes);
    const event = {
      id: randomId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: Math.floor(this.now().getTime() / 1000),
      data,
      livemode: false,
      pending_webhooks: this.webhook.url ? 1 : 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    } as unknown as Stripe.Event; // Stripe.Event is a union keyed by type; the shape above is common to all.
    this.store.events.set(event.id, event);
    if (this.webhook.url && !this.stopped) {
      this.queue.push(event);
      this.inFlight += 1;
      setImmediate(() => void this.pump());
    }
    return event;
  }

  /** Resolves when every queued delivery has succeeded or been given up. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
    this.inFlight = 0;
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.inFlight > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.notifyIdle();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped) {
        const event = this.queue.shift();
        if (!event) break;
        const { copies, delayMs, hold } = this.faults.takeForEvent();
        const send = (): void => void this.deliver(event, 1, copies);
        if (hold && !hold.released) {
          hold.onRelease = () => {
            if (!this.stopped) send();
          };
        } else if (delayMs > 0) {
          this.later(delayMs, send);
        } else {
          await this.deliver(event, 1, copies);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** One attempt (plus duplicates); schedules the retry on failure. */
  private async deliver(event: Stripe.Event, attempt: number, copies = 1): Promise<void> {
    const url = this.webhook.url;
    if (!url || this.stopped) return this.done();
    let ok = false;
    for (let i = 0; i < copies; i++) ok = (await this.post(url, event, attempt)) || ok;
    if (ok) {
      this.store.events.set(event.id, { ...event, pending_webhooks: 0 });
      return this.done();
    }
    if (attempt >= MAX_ATTEMPTS) {
      this.log.error({ eventId: event.id, type: event.type, attempts: attempt }, 'sandbox stripe: webhook delivery given up');
      return this.done();
    }
    const wait = Math.min(RETRY_START_MS * 2 ** (attempt - 1), RETRY_CAP_MS);
    this.log.warn({ eventId: event.id, type: event.type, attempt, retryInMs: wait }, 'sandbox stripe: webhook delivery failed, will retry');
    this.later(wait, () => void this.deliver(event, attempt + 1));
  }

  private async post(url: string, event: Stripe.Event, attempt: number): Promise<boolean> {
    const payload = JSON.stringify(this.store.events.get(event.id) ?? event, null, 2);
    const signature = signPayload(payload, this.webhook.secret, Math.floor(Date.now() / 1000));
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    let status: number | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      if (!this.stopped) this.log.debug({ err, eventId: event.id }, 'sandbox stripe: webhook receiver unreachable');
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    this.deliveries.push({ eventId: event.id, type: event.type, attempt, status, at: new Date() });
    return status !== null && status >= 200 && status < 300;
  }
}

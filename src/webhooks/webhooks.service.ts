import type postgres from 'postgres';
import Stripe from 'stripe';
import type { Clock } from '../clock/clock.js';
import type { Database } from '../db/client.js';
import { AppError, NotFoundError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Queue } from '../queue/queue.js';
import { STRIPE_EVENT_HANDLERS, type HandlerDeps } from './handlers.js';
import * as repo from './stripe-events.repo.js';
import type { StripeEventRow } from './stripe-events.table.js';

export const STRIPE_EVENT_QUEUE = 'stripe-event';
/** Stripe's own default: a signature older than five minutes is refused (replay protection). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

export class WebhookSignatureError extends Error {}

/**
 * Stripe webhooks as an inbox: verify, store, acknowledge; process later from the queue, with
 * retries, through the same dispatcher that an operator's replay uses.
 */
export class WebhookService {
  constructor(
    private readonly deps: {
      db: Database;
      sql: postgres.Sql;
      queue: Queue;
      stripe: Stripe;
      webhookSecret: string;
      clock: Clock;
      handlers: HandlerDeps;
      log: Logger;
    },
  ) {}

  /** Verifies the signature on the raw body and stores the event with its processing job, once. */
  async receive(rawBody: Buffer, signature: string | undefined): Promise<{ eventId: string; duplicate: boolean }> {
    let event: Stripe.Event;
    try {
      event = this.deps.stripe.webhooks.constructEvent(rawBody, signature ?? '', this.deps.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (error) {
      throw new WebhookSignatureError((error as Error).message);
    }
    const isNew = await this.deps.sql.begin(async (tx) => {
      const inserted = await repo.insertIfNew(tx, event);
      if (inserted) await this.deps.queue.send(STRIPE_EVENT_QUEUE, { eventId: event.id }, { tx, singletonKey: event.id });
      return inserted;
    });
    this.deps.log.info({ eventId: event.id, type: event.type, duplicate: !isNew }, 'stripe webhook received');
    return { eventId: event.id, duplicate: !isNew };
  }

  /**
   * Runs the event's handler. Processed and ignored events are never run again; a failure is
   * recorded on the event and rethrown so the queue retries it with backoff.
   */
  async process(eventId: string, options: { replay?: boolean } = {}): Promise<StripeEventRow> {
    const event = await repo.findEvent(this.deps.db, eventId);
    if (!event) throw new NotFoundError(`Stripe event "${eventId}"`);
    if (event.status === 'processed' || (event.status === 'ignored' && !options.replay)) return event;
    const handler = STRIPE_EVENT_HANDLERS[event.type as Stripe.Event.Type];
    try {
      if (handler) await handler(event.payload as Stripe.Event, this.deps.handlers);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await repo.markOutcome(this.deps.db, eventId, { status: 'failed', error: message });
      this.deps.log.warn({ eventId, type: event.type, err: error }, 'stripe event handler failed; will retry');
      throw error;
    }
    const outcome = handler ? 'processed' : 'ignored';
    this.deps.log.info({ eventId, type: event.type, outcome }, 'stripe event handled');
    return repo.markOutcome(this.deps.db, eventId, { status: outcome, at: this.deps.clock.now() });
  }

  list(statuses: repo.StripeEventStatus[], limit: number): Promise<StripeEventRow[]> {
    return repo.listEvents(this.deps.db, statuses, limit);
  }

  /** An operator runs a failed (or ignored) event again, now; the answer says how it went. */
  async replay(eventId: string, actor: string): Promise<StripeEventRow> {
    this.deps.log.info({ eventId, actor }, 'stripe event replay requested');
    try {
      return await this.process(eventId, { replay: true });
    } catch (error) {
      if (error instanceof AppError) throw error;
      return (await repo.findEvent(this.deps.db, eventId))!;
    }
  }

  startWorker(): Promise<void> {
    return this.deps.queue.work<{ eventId: string }>(STRIPE_EVENT_QUEUE, async ({ eventId }) => {
      await this.process(eventId);
    });
  }
}

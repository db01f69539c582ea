import type postgres from 'postgres';
import type { PlanLimit } from '../plans/plans.model.js';
import type { Queue } from '../queue/queue.js';
import type { MeterCode } from './meters.js';
import type { RecordOutcome, UsageRejectionReason, ValidUsageEvent } from './usage.model.js';
import * as repo from './usage.repo.js';
import { restrictionsFor } from '../lifecycle/restrictions.js';
import { admits, limitOf, meterUsage, notificationMessage, refusesOverLimit, thresholdsCrossed } from './usage.rules.js';

export const NOTIFICATION_EMAIL_QUEUE = 'usage-notification-email';

export interface EngineDeps {
  sql: postgres.Sql;
  queue: Queue;
  /** Whether notifications are to be emailed (SMTP_URL set). */
  emailEnabled: boolean;
}

const keyOf = (e: { businessId: string; idempotencyKey: string }) => `${e.businessId}|${e.idempotencyKey}`;
const refused = (reason: UsageRejectionReason, usage: RecordOutcome['usage'] = null): RecordOutcome => ({ accepted: false, duplicate: false, reason, usage });
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Records already-validated events in one transaction and answers one outcome per event, in order.
 *
 * 1. The live subscriptions of the businesses named, share-locked (a renewal closing the period
 *    waits for this transaction), and their plans' limits (cached: plans never change).
 * 2. The events are inserted in key order with "on conflict (business_id, idempotency_key) do
 *    nothing": a key stored before, or by a concurrent transaction that commits first, is a
 *    duplicate.
 * 3. Counters of meters under a HARD limit are created if missing and locked (FOR UPDATE) in one
 *    global order, and admission runs in the callers' order against their values: an event that
 *    would pass the included units is refused and its row deleted again before commit. Every other
 *    meter admits everything, so its counter is not read first: the final update adds to it and
 *    answers its new value, and the value before is that minus what was added.
 * 4. The counters are raised by what was admitted (one statement, HARD counters first, then the
 *    rest, each in key order, so concurrent transactions lock in one order), and the thresholds
 *    crossed become notifications (with their email jobs) in the same transaction.
 *
 * A counter is locked from step 3 (HARD) or step 4 (the rest) until commit: one or two round trips,
 * which is what lets concurrent batches touching the same counters follow each other closely.
 * Nothing is written for a refused event.
 */
export async function recordEvents(
  deps: EngineDeps,
  planCache: Map<string, PlanLimit[]>,
  events: ValidUsageEvent[],
  now: Date,
): Promise<RecordOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.sql.begin((tx) => recordInTransaction(tx, deps, planCache, events, now));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw error;
    }
  }
}

/** A counter this transaction touches, and what it learns of it. */
interface TouchedCounter {
  /** repo.counterKey of `key`: how the repo's answers are keyed. */
  id: string;
  key: repo.CounterKey;
  subscription: repo.LiveSubscription;
  limit: PlanLimit;
  /** A HARD limit with an allowance: read and locked before admission. */
  gated: boolean;
  /** Units before this transaction (known before admission when gated, after the update otherwise). */
  before: number;
  /** Units admitted by this transaction. */
  added: number;
}

/** Where an outcome's usage comes from: its counter, and the units this transaction had added to it by then. */
interface PendingUsage {
  counter: TouchedCounter;
  addedSoFar: number;
}

async function recordInTransaction(
  tx: postgres.TransactionSql,
  deps: EngineDeps,
  planCache: Map<string, PlanLimit[]>,
  events: ValidUsageEvent[],
  now: Date,
): Promise<RecordOutcome[]> {
  const outcomes: (RecordOutcome | undefined)[] = new Array(events.length);
  const pending: (PendingUsage | undefined)[] = new Array(events.length);
  const keys = events.map(keyOf);

  // 1. Subscriptions, plans, restrictions.
  const businessIds = [...new Set(events.map((e) => e.businessId))];
  const subscriptions = new Map((await repo.liveSubscriptions(tx, businessIds)).map((s) => [s.businessId, s]));
  const missingPlans = [...new Set([...subscriptions.values()].map((s) => s.planId))].filter((id) => !planCache.has(id));
  if (missingPlans.length > 0) for (const [id, limits] of await repo.planLimits(tx, missingPlans)) planCache.set(id, limits);
  // Read in this transaction with the subscriptions: a restriction committed before it is seen.
  const restricted = new Set([...subscriptions.values()].filter((s) => restrictionsFor(s.status).usageBlocked).map((s) => s.businessId));

  // The first event with a key in this batch stands for the others with the same key.
  const firstIndex = new Map<string, number>();
  const candidates: number[] = [];
  const closed: number[] = [];
  const counters = new Map<string, TouchedCounter>();
  const counterOf = (index: number): TouchedCounter => {
    const event = events[index]!;
    const subscription = subscriptions.get(event.businessId)!;
    const id = repo.counterKey(subscription.id, event.meter);
    let counter = counters.get(id);
    if (!counter) {
      const limit = limitOf({ limits: planCache.get(subscription.planId) ?? [] }, event.meter);
      const key = { subscriptionId: subscription.id, meter: event.meter, periodStart: subscription.periodStart };
      counter = { id, key, subscription, limit, gated: refusesOverLimit(limit), before: 0, added: 0 };
      counters.set(id, counter);
    }
    return counter;
  };
  events.forEach((event, index) => {
    const key = keys[index]!;
    if (firstIndex.has(key)) return;
    firstIndex.set(key, index);
    const subscription = subscriptions.get(event.businessId);
    if (!subscription) outcomes[index] = refused('NO_SUBSCRIPTION');
    else if (restricted.has(event.businessId)) outcomes[index] = refused('ACCOUNT_RESTRICTED');
    else if (event.occurredAt.getTime() < subscription.periodStart.getTime()) closed.push(index);
    else candidates.push(index);
    if (subscription && !restricted.has(event.businessId)) counterOf(index);
  });

  // 2. Insert in key order (concurrent batches wait on each other's keys in one order).
  // Candidates' keys are distinct (repeats within the batch were set aside above).
  const insertOrder = [...candidates].sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const inserted = await repo.insertEvents(
    tx,
    insertOrder.map((index) => ({ event: events[index]!, subscription: subscriptions.get(events[index]!.businessId)! })),
    now,
  );

  // 3. Lock and read the HARD counters, then admit in the callers' order.
  const ordered = [...counters.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  const gated = ordered.filter((c) => c.gated);
  if (gated.length > 0) {
    const values = await repo.lockCounters(tx, gated.map((c) => c.key));
    for (const c of gated) c.before = values.get(c.id) ?? 0;
  }
  const refusedIds: number[] = [];
  const lateRepeats = closed.length > 0 ? await repo.existingKeys(tx, closed.map((i) => events[i]!)) : new Set<string>();
  for (const index of closed) {
    const counter = counterOf(index);
    pending[index] = { counter, addedSoFar: counter.added };
    outcomes[index] = lateRepeats.has(keys[index]!) ? { accepted: true, duplicate: true, reason: null, usage: null } : refused('PERIOD_CLOSED');
  }
  for (const index of candidates) {
    const event = events[index]!;
    const counter = counterOf(index);
    const id = inserted.get(keys[index]!);
    if (id === undefined) {
      outcomes[index] = { accepted: true, duplicate: true, reason: null, usage: null };
    } else if (counter.gated && !admits(counter.limit, counter.before + counter.added, event.quantity)) {
      refusedIds.push(id);
      outcomes[index] = refused('LIMIT_REACHED');
    } else {
      counter.added += event.quantity;
      outcomes[index] = { accepted: true, duplicate: false, reason: null, usage: null };
    }
    pending[index] = { counter, addedSoFar: counter.added };
  }

  // 4. Counters (HARD first, then the rest, each in key order), and the thresholds they crossed.
  const raised = [...gated, ...ordered.filter((c) => !c.gated)].filter((c) => c.added > 0);
  const unread = ordered.filter((c) => !c.gated && c.added === 0);
  const [, after, current] = await Promise.all([
    repo.deleteEvents(tx, refusedIds),
    repo.addToCounters(tx, raised.map((c) => ({ ...c.key, delta: c.added }))),
    repo.readCounters(tx, unread.map((c) => c.key)),
  ]);
  for (const c of raised) if (!c.gated) c.before = after.get(c.id)! - c.added;
  for (const c of unread) c.before = current.get(c.id) ?? 0;

  const toNotify: repo.NotificationToInsert[] = [];
  for (const c of raised) {
    for (const kind of thresholdsCrossed(c.limit.included, c.before, c.before + c.added)) {
      toNotify.push({
        businessId: c.subscription.businessId,
        subscriptionId: c.subscription.id,
        meter: c.key.meter,
        periodStart: c.subscription.periodStart,
        kind,
        message: notificationMessage(kind, c.key.meter as MeterCode, c.limit.included!, c.before + c.added),
        emailStatus: deps.emailEnabled ? 'pending' : 'not_needed',
      });
    }
  }
  const notified = await repo.insertNotifications(tx, toNotify, now);
  for (const n of notified) {
    if (n.emailStatus === 'pending') await deps.queue.send(NOTIFICATION_EMAIL_QUEUE, { notificationId: n.id }, { tx, singletonKey: n.id });
  }

  // Each outcome's usage is its meter right after it; later events with a key seen earlier in this
  // batch answer as repeats of the first.
  const answered = outcomes.map((own, index) => {
    const at = pending[index];
    return own && at ? { ...own, usage: meterUsage(at.counter.limit, at.counter.before + at.addedSoFar, at.counter.subscription.periodStart, at.counter.subscription.periodEnd) } : own;
  });
  return events.map((_event, index) => {
    const own = answered[index];
    if (own) return own;
    const first = answered[firstIndex.get(keys[index]!)!]!;
    return first.accepted ? { ...first, duplicate: true } : first;
  });
}

import type postgres from 'postgres';
import type { PlanLimit } from '../plans/plans.model.js';
import type { Queue } from '../queue/queue.js';
import type { MeterCode } from './meters.js';
import type { RecordOutcome, UsageRejectionReason, ValidUsageEvent } from './usage.model.js';
import * as repo from './usage.repo.js';
import { restrictionsFor } from '../lifecycle/restrictions.js';
import { admits, limitOf, meterUsage, notificationMessage, thresholdsCrossed } from './usage.rules.js';

export const NOTIFICATION_EMAIL_QUEUE = 'usage-notification-email';

export interface EngineDeps {
  sql: postgres.Sql;
  queue: Queue;
  /** Whether notifications are to be emailed (SMTP_URL set). */
  emailEnabled: boolean;
}

const keyOf = (e: { businessId: string; idempotencyKey: string }) => `${e.businessId}|${e.idempotencyKey}`;
const counterKey = (subscriptionId: string, meter: string) => `${subscriptionId}|${meter}`;
const refused = (reason: UsageRejectionReason, usage: RecordOutcome['usage'] = null): RecordOutcome => ({ accepted: false, duplicate: false, reason, usage });
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Records already-validated events in one transaction and answers one outcome per event, in order.
 *
 * Setup: the live subscriptions of the businesses named (and their plans' limits, cached: plans
 * never change). Then, per subscription meter, the counter row is created if missing and locked
 * (FOR UPDATE) in one global order; the events are inserted with "on conflict (business_id,
 * idempotency_key) do nothing", so a key stored before, or by a concurrent transaction that
 * commits first, is a duplicate. Admission runs in the callers' order against the locked counter
 * values: an event a HARD limit refuses is deleted again before commit. The counters are raised by
 * what was admitted, and the thresholds crossed become notifications (with their email jobs) in the
 * same transaction. Nothing is written for a refused event.
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

async function recordInTransaction(
  tx: postgres.TransactionSql,
  deps: EngineDeps,
  planCache: Map<string, PlanLimit[]>,
  events: ValidUsageEvent[],
  now: Date,
): Promise<RecordOutcome[]> {
  const outcomes: (RecordOutcome | undefined)[] = new Array(events.length);

  // Setup: subscriptions, plans, restrictions.
  const businessIds = [...new Set(events.map((e) => e.businessId))];
  const subscriptions = new Map((await repo.liveSubscriptions(tx, businessIds)).map((s) => [s.businessId, s]));
  const missingPlans = [...new Set([...subscriptions.values()].map((s) => s.planId))].filter((id) => !planCache.has(id));
  if (missingPlans.length > 0) for (const [id, limits] of await repo.planLimits(tx, missingPlans)) planCache.set(id, limits);
  // Read in this transaction with the subscriptions: a restriction committed before it is seen.
  const restricted = new Set([...subscriptions.values()].filter((s) => restrictionsFor(s.status).usageBlocked).map((s) => s.businessId));
  const limitFor = (planId: string, meter: MeterCode) => limitOf({ limits: planCache.get(planId) ?? [] }, meter);

  // The first event with a key in this batch stands for the others with the same key.
  const firstIndex = new Map<string, number>();
  const candidates: number[] = [];
  const closed: number[] = [];
  events.forEach((event, index) => {
    const key = keyOf(event);
    if (firstIndex.has(key)) return;
    firstIndex.set(key, index);
    const subscription = subscriptions.get(event.businessId);
    if (!subscription) outcomes[index] = refused('NO_SUBSCRIPTION');
    else if (restricted.has(event.businessId)) outcomes[index] = refused('ACCOUNT_RESTRICTED');
    else if (event.occurredAt.getTime() < subscription.periodStart.getTime()) closed.push(index);
    else candidates.push(index);
  });

  // Lock the counters the candidates (and late repeats, for their answer) touch, in one order.
  const counterKeys = new Map<string, repo.CounterKey>();
  for (const index of [...candidates, ...closed]) {
    const event = events[index]!;
    const s = subscriptions.get(event.businessId)!;
    counterKeys.set(counterKey(s.id, event.meter), { subscriptionId: s.id, meter: event.meter, periodStart: s.periodStart });
  }
  const sortedKeys = [...counterKeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
  const counters = sortedKeys.length > 0 ? await repo.lockCounters(tx, sortedKeys) : new Map<string, number>();
  const before = new Map(counters);
  const usageNow = (event: ValidUsageEvent) => {
    const s = subscriptions.get(event.businessId)!;
    return meterUsage(limitFor(s.planId, event.meter), counters.get(counterKey(s.id, event.meter)) ?? 0, s.periodStart, s.periodEnd);
  };

  // Events before the current period: a repeat of a stored event is a duplicate, else the period is closed.
  if (closed.length > 0) {
    const stored = await repo.existingKeys(tx, closed.map((i) => events[i]!));
    for (const index of closed) {
      const event = events[index]!;
      outcomes[index] = stored.has(keyOf(event)) ? { accepted: true, duplicate: true, reason: null, usage: usageNow(event) } : refused('PERIOD_CLOSED', usageNow(event));
    }
  }

  // Insert (duplicates detected here), then admit in the callers' order.
  const toInsert = candidates
    .map((index) => {
      const event = events[index]!;
      const s = subscriptions.get(event.businessId)!;
      return { ...event, subscriptionId: s.id, periodStart: s.periodStart };
    })
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const inserted = await repo.insertEvents(tx, toInsert, now);
  const refusedIds: number[] = [];
  for (const index of candidates) {
    const event = events[index]!;
    const id = inserted.get(keyOf(event));
    if (id === undefined) {
      outcomes[index] = { accepted: true, duplicate: true, reason: null, usage: usageNow(event) };
      continue;
    }
    const s = subscriptions.get(event.businessId)!;
    const ck = counterKey(s.id, event.meter);
    const used = counters.get(ck) ?? 0;
    if (!admits(limitFor(s.planId, event.meter), used, event.quantity)) {
      refusedIds.push(id);
      outcomes[index] = refused('LIMIT_REACHED', usageNow(event));
      continue;
    }
    counters.set(ck, used + event.quantity);
    outcomes[index] = { accepted: true, duplicate: false, reason: null, usage: usageNow(event) };
  }
  await repo.deleteEvents(tx, refusedIds);

  // Counters and the thresholds they crossed.
  const deltas: (repo.CounterKey & { delta: number })[] = [];
  const toNotify: repo.NotificationToInsert[] = [];
  for (const [ck, key] of counterKeys) {
    const from = before.get(ck) ?? 0;
    const to = counters.get(ck) ?? 0;
    if (to === from) continue;
    deltas.push({ ...key, delta: to - from });
    const s = [...subscriptions.values()].find((x) => x.id === key.subscriptionId)!;
    const limit = limitFor(s.planId, key.meter as MeterCode);
    for (const kind of thresholdsCrossed(limit.included, from, to)) {
      toNotify.push({
        businessId: s.businessId,
        subscriptionId: s.id,
        meter: key.meter,
        periodStart: s.periodStart,
        kind,
        message: notificationMessage(kind, key.meter as MeterCode, limit.included!, to),
        emailStatus: deps.emailEnabled ? 'pending' : 'not_needed',
      });
    }
  }
  await repo.addToCounters(tx, deltas);
  const notified = await repo.insertNotifications(tx, toNotify, now);
  for (const n of notified) {
    if (n.emailStatus === 'pending') await deps.queue.send(NOTIFICATION_EMAIL_QUEUE, { notificationId: n.id }, { tx, singletonKey: n.id });
  }

  // Later events with a key seen earlier in this batch answer as repeats of the first.
  return events.map((event, index) => {
    const own = outcomes[index];
    if (own) return own;
    const first = outcomes[firstIndex.get(keyOf(event))!]!;
    return first.accepted ? { ...first, duplicate: true } : first;
  });
}

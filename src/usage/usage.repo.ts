import { and, eq, gte, inArray, lt, sql as dsql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '../db/client.js';
import type { PlanLimit } from '../plans/plans.model.js';
import type { SubscriptionRow } from '../subscriptions/subscriptions.table.js';
import type { MeterCode } from './meters.js';
import type { NotificationKind, ValidUsageEvent } from './usage.model.js';
import { usageCounters, usageEvents } from './usage.table.js';

/*
 * The hot path (recording, checks) is written straight in postgres.js: one prepared statement per
 * step whatever the batch size (arrays through unnest). The drizzle-configured client passes dates
 * and JSON through unserialised, so instants go in as ISO text and come out as epoch milliseconds.
 */

type Sql = postgres.Sql | postgres.TransactionSql;
const LIVE = ['trialing', 'active', 'incomplete', 'past_due', 'unpaid'];

export interface LiveSubscription {
  id: string;
  businessId: string;
  planId: string;
  status: SubscriptionRow['status'];
  periodStart: Date;
  periodEnd: Date;
}

const iso = (d: Date) => d.toISOString();

/** A subscriptions row as the statements below select it, instants as epoch milliseconds. */
interface LiveSubscriptionRow {
  id: string;
  business_id: string;
  plan_id: string;
  status: SubscriptionRow['status'];
  ps: number;
  pe: number;
}

const liveSubscriptionOf = (r: LiveSubscriptionRow): LiveSubscription => ({
  id: r.id,
  businessId: r.business_id,
  planId: r.plan_id,
  status: r.status,
  periodStart: new Date(Math.round(r.ps)),
  periodEnd: new Date(Math.round(r.pe)),
});

/**
 * The live subscription of each business named (at most one each), share-locked for the recording
 * transaction: a renewal closing the period waits for it (and counts its events), or finishes first
 * and the events go to the new period.
 */
export async function liveSubscriptions(tx: Sql, businessIds: string[]): Promise<LiveSubscription[]> {
  const rows = await (tx as postgres.Sql)<LiveSubscriptionRow[]>`
    select id, business_id, plan_id, status,
      (extract(epoch from current_period_start) * 1000)::float8 as ps,
      (extract(epoch from current_period_end) * 1000)::float8 as pe
    from subscriptions
    where business_id = any(${businessIds}::text[]) and status::text = any(${LIVE}::text[])
    for share`;
  return rows.map(liveSubscriptionOf);
}

/** Limits of plans, grouped by plan id. Plans never change once created, so callers may cache them. */
export async function planLimits(tx: Sql, planIds: string[]): Promise<Map<string, PlanLimit[]>> {
  const rows = await (tx as postgres.Sql)<{ plan_id: string; meter: string; included: number | null; enforcement: 'hard' | 'soft'; overage_unit_amount: number | null }[]>`
    select plan_id, meter, included, enforcement::text as enforcement, overage_unit_amount
    from plan_limits where plan_id = any(${planIds}::uuid[])`;
  const grouped = new Map<string, PlanLimit[]>(planIds.map((id) => [id, []]));
  for (const r of rows) {
    grouped.get(r.plan_id)!.push({ meter: r.meter as MeterCode, included: r.included, enforcement: r.enforcement, overageUnitAmount: r.overage_unit_amount });
  }
  return grouped;
}

/** How the counter answers below are keyed: "subscriptionId|meter" (a transaction touches one period of a subscription). */
export const counterKey = (subscriptionId: string, meter: string) => `${subscriptionId}|${meter}`;
const byCounter = (rows: { subscription_id: string; meter: string; used: number }[]) => new Map(rows.map((r) => [counterKey(r.subscription_id, r.meter), Number(r.used)]));

export interface CounterKey {
  subscriptionId: string;
  meter: string;
  periodStart: Date;
}

/**
 * Creates the counters that do not exist yet and locks all of them (FOR UPDATE, through the no-op
 * update) for the rest of the transaction, answering their values. Callers pass keys in one global
 * order so that concurrent transactions lock in the same order.
 */
export async function lockCounters(tx: postgres.TransactionSql, keys: CounterKey[]): Promise<Map<string, number>> {
  const rows = await tx<{ subscription_id: string; meter: string; used: number }[]>`
    insert into usage_counters (subscription_id, meter, period_start, used)
    select s, m, p, 0 from unnest(${keys.map((k) => k.subscriptionId)}::uuid[], ${keys.map((k) => k.meter)}::text[], ${keys.map((k) => iso(k.periodStart))}::text[]::timestamptz[]) as u(s, m, p)
    on conflict (subscription_id, meter, period_start) do update set used = usage_counters.used
    returning subscription_id, meter, used::float8 as used`;
  return byCounter(rows);
}

/**
 * Adds to counters, creating those that do not exist yet, and answers their new values. Each row is
 * locked from here to commit; callers pass keys in one global order.
 */
export async function addToCounters(tx: postgres.TransactionSql, deltas: (CounterKey & { delta: number })[]): Promise<Map<string, number>> {
  if (deltas.length === 0) return new Map();
  const rows = await tx<{ subscription_id: string; meter: string; used: number }[]>`
    insert into usage_counters as c (subscription_id, meter, period_start, used)
    select s, m, p, delta
    from unnest(${deltas.map((k) => k.subscriptionId)}::uuid[], ${deltas.map((k) => k.meter)}::text[],
                ${deltas.map((k) => iso(k.periodStart))}::text[]::timestamptz[], ${deltas.map((k) => k.delta)}::bigint[]) with ordinality as d(s, m, p, delta, n)
    order by n
    on conflict (subscription_id, meter, period_start) do update set used = c.used + excluded.used
    returning subscription_id, meter, used::float8 as used`;
  return byCounter(rows);
}

/** Counters' current values (no lock), for answers about meters this transaction did not raise. */
export async function readCounters(tx: Sql, keys: CounterKey[]): Promise<Map<string, number>> {
  if (keys.length === 0) return new Map();
  const rows = await (tx as postgres.Sql)<{ subscription_id: string; meter: string; used: number }[]>`
    select c.subscription_id, c.meter, c.used::float8 as used
    from usage_counters c
    join unnest(${keys.map((k) => k.subscriptionId)}::uuid[], ${keys.map((k) => k.meter)}::text[], ${keys.map((k) => iso(k.periodStart))}::text[]::timestamptz[]) as u(s, m, p)
      on c.subscription_id = u.s and c.meter = u.m and c.period_start = u.p`;
  return byCounter(rows);
}

export interface EventToInsert {
  event: ValidUsageEvent;
  subscription: { id: string; periodStart: Date };
}

/**
 * Inserts events, skipping those whose (business, idempotency key) is already stored: answers the
 * new rows' ids by "business|key". A key being inserted by a concurrent transaction waits for it.
 * Instants repeat across a batch (most events take "now", all of a business share its period), so
 * each is turned into text once.
 */
export async function insertEvents(tx: postgres.TransactionSql, rows: EventToInsert[], recordedAt: Date): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const texts = new Map<number, string>();
  const text = (d: Date) => {
    let t = texts.get(d.getTime());
    if (t === undefined) texts.set(d.getTime(), (t = iso(d)));
    return t;
  };
  const businessIds: string[] = [];
  const subscriptionIds: string[] = [];
  const meters: string[] = [];
  const quantities: number[] = [];
  const keys: string[] = [];
  const occurred: string[] = [];
  const periods: string[] = [];
  const metadata: (string | null)[] = [];
  for (const { event, subscription } of rows) {
    businessIds.push(event.businessId);
    subscriptionIds.push(subscription.id);
    meters.push(event.meter);
    quantities.push(event.quantity);
    keys.push(event.idempotencyKey);
    occurred.push(text(event.occurredAt));
    periods.push(text(subscription.periodStart));
    metadata.push(event.metadata);
  }
  const inserted = await tx<{ id: string; business_id: string; idempotency_key: string }[]>`
    insert into usage_events (business_id, subscription_id, meter, quantity, idempotency_key, occurred_at, recorded_at, period_start, metadata)
    select b, s, m, q, k, o, ${iso(recordedAt)}::timestamptz, p, md
    from unnest(${businessIds}::text[], ${subscriptionIds}::uuid[], ${meters}::text[], ${quantities}::int[], ${keys}::text[],
                ${occurred}::text[]::timestamptz[], ${periods}::text[]::timestamptz[], ${metadata as string[]}::text[]::jsonb[]) as u(b, s, m, q, k, o, p, md)
    on conflict (business_id, idempotency_key) do nothing
    returning id, business_id, idempotency_key`;
  return new Map(inserted.map((r) => [`${r.business_id}|${r.idempotency_key}`, Number(r.id)]));
}

/** Removes events refused after insertion (a HARD limit), before the transaction commits. */
export async function deleteEvents(tx: postgres.TransactionSql, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx`delete from usage_events where id = any(${ids}::bigint[])`;
}

/** Which of these (business, key) pairs are stored: answers "business|key" entries. */
export async function existingKeys(tx: Sql, pairs: { businessId: string; idempotencyKey: string }[]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await (tx as postgres.Sql)<{ business_id: string; idempotency_key: string }[]>`
    select e.business_id, e.idempotency_key from usage_events e
    join unnest(${pairs.map((p) => p.businessId)}::text[], ${pairs.map((p) => p.idempotencyKey)}::text[]) as u(b, k)
      on e.business_id = u.b and e.idempotency_key = u.k`;
  return new Set(rows.map((r) => `${r.business_id}|${r.idempotency_key}`));
}

export interface NotificationToInsert {
  businessId: string;
  subscriptionId: string;
  meter: string;
  periodStart: Date;
  kind: NotificationKind;
  message: string;
  emailStatus: 'pending' | 'not_needed';
}

/** Inserts the notifications not given yet (one per threshold per meter per period); answers the new ones. */
export async function insertNotifications(
  tx: postgres.TransactionSql,
  rows: NotificationToInsert[],
  createdAt: Date,
): Promise<{ id: string; emailStatus: string }[]> {
  if (rows.length === 0) return [];
  const inserted = await tx<{ id: string; email_status: string }[]>`
    insert into notifications (business_id, subscription_id, meter, period_start, kind, message, created_at, email_status)
    select b, s, m, p, k::notification_kind, msg, ${iso(createdAt)}::timestamptz, st::notification_email_status
    from unnest(${rows.map((r) => r.businessId)}::text[], ${rows.map((r) => r.subscriptionId)}::uuid[], ${rows.map((r) => r.meter)}::text[],
                ${rows.map((r) => iso(r.periodStart))}::text[]::timestamptz[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.message)}::text[],
                ${rows.map((r) => r.emailStatus)}::text[]) as u(b, s, m, p, k, msg, st)
    on conflict (subscription_id, meter, period_start, kind) do nothing
    returning id, email_status::text as email_status`;
  return inserted.map((r) => ({ id: r.id, emailStatus: r.email_status }));
}

/** A business and meter a check asks about. */
export interface CheckKey {
  businessId: string;
  meter: string;
}

/** A business's live subscription, with the units used of the meter asked about in its current period. */
export type CheckedSubscription = LiveSubscription & { used: number };

/**
 * For each key, in order: the business's live subscription and its counter of that meter in the
 * current period (0 when none yet), or undefined without a live subscription. One statement for
 * many concurrent checks.
 */
export async function liveSubscriptionsWithCounters(sql: postgres.Sql, keys: readonly CheckKey[]): Promise<(CheckedSubscription | undefined)[]> {
  const rows = await sql<(LiveSubscriptionRow & { i: number; used: number | null })[]>`
    select k.i::int as i, s.id, s.business_id, s.plan_id, s.status,
      (extract(epoch from s.current_period_start) * 1000)::float8 as ps,
      (extract(epoch from s.current_period_end) * 1000)::float8 as pe,
      c.used::float8 as used
    from unnest(${keys.map((k) => k.businessId)}::text[], ${keys.map((k) => k.meter)}::text[]) with ordinality as k(business_id, meter, i)
    join subscriptions s on s.business_id = k.business_id and s.status::text = any(${LIVE}::text[])
    left join usage_counters c on c.subscription_id = s.id and c.meter = k.meter and c.period_start = s.current_period_start`;
  const found: (CheckedSubscription | undefined)[] = new Array(keys.length).fill(undefined);
  for (const row of rows) found[row.i - 1] ??= { ...liveSubscriptionOf(row), used: Number(row.used ?? 0) };
  return found;
}

/** A subscription's counters for one period, by meter (drizzle; `db` may be a transaction). */
export async function countersOf(db: Db, subscriptionId: string, periodStart: Date): Promise<Map<string, number>> {
  const rows = await db
    .select({ meter: usageCounters.meter, used: usageCounters.used })
    .from(usageCounters)
    .where(and(eq(usageCounters.subscriptionId, subscriptionId), eq(usageCounters.periodStart, periodStart)));
  return new Map(rows.map((r) => [r.meter, Number(r.used)]));
}

/** Counters of many (subscription, period) pairs in one statement, keyed "subscriptionId|periodStartMs". */
export async function countersOfMany(db: Db, keys: readonly { subscriptionId: string; periodStart: Date }[]): Promise<Map<string, Map<string, number>>> {
  const grouped = new Map<string, Map<string, number>>(keys.map((k) => [`${k.subscriptionId}|${k.periodStart.getTime()}`, new Map()]));
  if (keys.length === 0) return grouped;
  const rows = await db
    .select({ subscriptionId: usageCounters.subscriptionId, meter: usageCounters.meter, periodStart: usageCounters.periodStart, used: usageCounters.used })
    .from(usageCounters)
    .where(inArray(usageCounters.subscriptionId, [...new Set(keys.map((k) => k.subscriptionId))]));
  for (const r of rows) grouped.get(`${r.subscriptionId}|${r.periodStart.getTime()}`)?.set(r.meter, Number(r.used));
  return grouped;
}

/** A business's meter per UTC day in [from, to): day start (epoch ms) → quantity. */
export async function dailyTotals(db: Db, businessId: string, meter: string, from: Date, to: Date): Promise<Map<number, number>> {
  const day = dsql<string>`date_trunc('day', ${usageEvents.occurredAt}, 'UTC')`;
  const rows = await db
    .select({ day: dsql<number>`(extract(epoch from ${day}) * 1000)::float8`, quantity: dsql<number>`sum(${usageEvents.quantity})::float8` })
    .from(usageEvents)
    .where(and(eq(usageEvents.businessId, businessId), eq(usageEvents.meter, meter), gte(usageEvents.occurredAt, from), lt(usageEvents.occurredAt, to)))
    .groupBy(day);
  return new Map(rows.map((r) => [Math.round(Number(r.day)), Number(r.quantity)]));
}

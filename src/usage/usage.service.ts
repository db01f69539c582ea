import type { Clock } from '../clock/clock.js';
import type { Database, Db, UsagePools } from '../db/client.js';
import { BadUserInputError } from '../errors/errors.js';
import type { DraftLine } from '../invoices/invoice-math.js';
import type { Logger } from '../log/logger.js';
import type { Plan, PlanLimit } from '../plans/plans.model.js';
import type { Queue } from '../queue/queue.js';
import type { SubscriptionRow } from '../subscriptions/subscriptions.table.js';
import { isMeter } from './meters.js';
import { Coalescer } from './coalescer.js';
import type { BatchOutcome, CheckOutcome, MeterUsage, RecordOutcome, UsageEventInput, UsageRejectionReason, ValidUsageEvent } from './usage.model.js';
import * as repo from './usage.repo.js';
import { restrictionsFor } from '../lifecycle/restrictions.js';
import { recordEvents } from './usage.engine.js';
import {
  admits,
  limitOf,
  MAX_BATCH_EVENTS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_SERIES_DAYS,
  overageLinesFor,
  usageOfPlan,
  utcDays,
  validateEvent,
} from './usage.rules.js';

export interface UsageServiceOptions {
  /** Concurrent single-event calls share transactions: at most this many events in one. */
  maxCoalescedEvents?: number;
  /** Recording transactions of coalesced single events running at once. */
  maxTransactionsInFlight?: number;
}

/**
 * OVERAGE lines of a subscription's period, for the invoice that closes it: one per SOFT meter with
 * units above included. The allowance is the plan passed in (the current plan: an upgrade in the
 * middle of a period gives the new plan's included units for the whole period).
 */
export async function overageLines(db: Db, subscription: SubscriptionRow, plan: Plan, periodStart: Date, periodEnd: Date): Promise<DraftLine[]> {
  return overageLinesFor(plan, await repo.countersOf(db, subscription.id, periodStart), periodStart, periodEnd);
}

/** Usage metering: recording with atomic admission, checks, and the read model. */
export class UsageService {
  /** Plans' limits by plan id: plans never change once created, so this never goes stale. */
  private readonly planCache = new Map<string, PlanLimit[]>();
  private readonly recordings: Coalescer<ValidUsageEvent, RecordOutcome>;
  private readonly checkReads: Coalescer<repo.CheckKey, repo.CheckedSubscription | undefined>;

  constructor(
    private readonly deps: { db: Database; pools: UsagePools; clock: Clock; queue: Queue; log: Logger; emailEnabled: boolean },
    options: UsageServiceOptions = {},
  ) {
    this.recordings = new Coalescer((events) => this.recordValid(events), {
      maxBatch: options.maxCoalescedEvents ?? 500,
      maxInFlight: options.maxTransactionsInFlight ?? 2,
    });
    // Checks that arrive while a read is out go together into the next one. Each check is still
    // answered from a read that started after it arrived, but 2,000 checks a second cost the API
    // about 900 round trips instead of 2,000 (a round trip was a quarter of a check's CPU:
    // docs/performance.md).
    this.checkReads = new Coalescer((keys) => repo.liveSubscriptionsWithCounters(deps.pools.checks, keys), { maxBatch: 1000, maxInFlight: 1 });
  }

  /** One event. Concurrent calls are coalesced into shared transactions; each keeps its own outcome. */
  async record(input: UsageEventInput): Promise<RecordOutcome> {
    checkRequestShape([input]);
    const valid = validateEvent(input, this.deps.clock.now());
    if (typeof valid === 'string') return { accepted: false, duplicate: false, reason: valid, usage: null };
    return this.recordings.submit(valid);
  }

  /** Up to 1,000 events in one transaction, one outcome each, in order. */
  async recordBatch(inputs: UsageEventInput[]): Promise<BatchOutcome> {
    if (inputs.length > MAX_BATCH_EVENTS) throw new BadUserInputError(`at most ${MAX_BATCH_EVENTS} events a call`, 'events');
    checkRequestShape(inputs);
    const now = this.deps.clock.now();
    const outcomes: RecordOutcome[] = new Array(inputs.length);
    const valid: { index: number; event: ValidUsageEvent }[] = [];
    inputs.forEach((input, index) => {
      const v = validateEvent(input, now);
      if (typeof v === 'string') outcomes[index] = { accepted: false, duplicate: false, reason: v, usage: null };
      else valid.push({ index, event: v });
    });
    if (valid.length > 0) {
      const recorded = await this.recordValid(valid.map((v) => v.event));
      valid.forEach((v, i) => (outcomes[v.index] = recorded[i]!));
    }
    const rejected: { index: number; reason: UsageRejectionReason }[] = [];
    outcomes.forEach((o, index) => o.reason && rejected.push({ index, reason: o.reason }));
    return {
      accepted: outcomes.filter((o) => o.accepted && !o.duplicate).length,
      duplicates: outcomes.filter((o) => o.duplicate).length,
      rejected,
      outcomes,
    };
  }

  /** Whether `quantity` would be admitted now; counts nothing. One statement, shared by concurrent checks. */
  async check(businessId: string, meter: string, quantity: number): Promise<CheckOutcome> {
    const no = (reason: UsageRejectionReason, remaining: number | null = null): CheckOutcome => ({ allowed: false, remaining, reason });
    if (!isMeter(meter)) return no('UNKNOWN_METER');
    if (!Number.isSafeInteger(quantity) || quantity < 1) return no('INVALID_QUANTITY');
    const live = await this.checkReads.submit({ businessId, meter });
    if (!live) return no('NO_SUBSCRIPTION');
    if (restrictionsFor(live.status).usageBlocked) return no('ACCOUNT_RESTRICTED');
    const limit = limitOf({ limits: await this.limitsOf(live.planId) }, meter);
    const remaining = limit.included === null ? null : Math.max(0, limit.included - live.used);
    return admits(limit, live.used, quantity) ? { allowed: true, remaining, reason: null } : no('LIMIT_REACHED', remaining);
  }

  /** Every meter of the subscription's current period (the DataLoader batches many subscriptions). */
  usageOfMany = async (subscriptions: readonly SubscriptionRow[], planOf: (planId: string) => Promise<Plan | undefined>): Promise<MeterUsage[][]> => {
    const counters = await repo.countersOfMany(
      this.deps.db,
      subscriptions.map((s) => ({ subscriptionId: s.id, periodStart: s.currentPeriodStart })),
    );
    return Promise.all(
      subscriptions.map(async (s) => {
        const plan = await planOf(s.planId);
        return usageOfPlan(plan ?? { limits: [] }, counters.get(`${s.id}|${s.currentPeriodStart.getTime()}`) ?? new Map(), s.currentPeriodStart, s.currentPeriodEnd);
      }),
    );
  };

  /** A business's meter per UTC day, zero-filled, from the day of `from` to `to`. */
  async series(businessId: string, meter: string, from: Date, to: Date): Promise<{ start: Date; end: Date; quantity: number }[]> {
    if (!isMeter(meter)) throw new BadUserInputError(`unknown meter "${meter}"`, 'meter');
    if (!(from.getTime() < to.getTime())) throw new BadUserInputError('from must be before to', 'from');
    const days = utcDays(from, to);
    if (days.length > MAX_SERIES_DAYS) throw new BadUserInputError(`at most ${MAX_SERIES_DAYS} days`, 'to');
    const totals = await repo.dailyTotals(this.deps.db, businessId, meter, days[0]!.start, days.at(-1)!.end);
    return days.map((d) => ({ ...d, quantity: totals.get(d.start.getTime()) ?? 0 }));
  }

  private async limitsOf(planId: string): Promise<PlanLimit[]> {
    const cached = this.planCache.get(planId);
    if (cached) return cached;
    const limits = (await repo.planLimits(this.deps.pools.checks, [planId])).get(planId) ?? [];
    this.planCache.set(planId, limits);
    return limits;
  }

  private recordValid(events: ValidUsageEvent[]): Promise<RecordOutcome[]> {
    const { pools, queue, emailEnabled } = this.deps;
    return recordEvents({ sql: pools.recording, queue, emailEnabled }, this.planCache, events, this.deps.clock.now());
  }
}

/** Bad input of the request as a whole (nothing is recorded): an idempotency key is required. */
function checkRequestShape(inputs: UsageEventInput[]): void {
  inputs.forEach((input, index) => {
    const key = input.idempotencyKey;
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new BadUserInputError(`idempotencyKey must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, inputs.length > 1 ? `events[${index}].idempotencyKey` : 'idempotencyKey');
    }
    if (!input.businessId) throw new BadUserInputError('businessId is required', 'businessId');
  });
}

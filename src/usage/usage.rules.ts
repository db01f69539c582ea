import type { DraftLine } from '../invoices/invoice-math.js';
import type { Plan, PlanLimit } from '../plans/plans.model.js';
import { describeQuantity, isMeter, METER_CODES, METERS, type MeterCode } from './meters.js';
import type { MeterUsage, NotificationKind, UsageEventInput, UsageRejectionReason, ValidUsageEvent } from './usage.model.js';

/** An event may say it happened up to this far ahead of the billing clock (callers' clock skew). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** recordUsageBatch takes at most this many events a call. */
export const MAX_BATCH_EVENTS = 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** usageSeries answers at most this many days. */
export const MAX_SERIES_DAYS = 366;

/**
 * The checks that need no database, in the order their reasons are given. Answers the event
 * normalised, or why it is refused. (An empty or overlong idempotency key is bad input of the whole
 * request, checked by the caller: it is not a refusal of the event.)
 */
export function validateEvent(input: UsageEventInput, now: Date): ValidUsageEvent | UsageRejectionReason {
  if (!isMeter(input.meter)) return 'UNKNOWN_METER';
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > METERS[input.meter].maxQuantity) {
    return 'INVALID_QUANTITY';
  }
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) return 'OCCURRED_IN_FUTURE';
  return {
    businessId: input.businessId,
    meter: input.meter,
    quantity: input.quantity,
    idempotencyKey: input.idempotencyKey,
    occurredAt,
    metadata: input.metadata === undefined || input.metadata === null ? null : JSON.stringify(input.metadata),
  };
}

/** The plan's limit for a meter; a meter the plan does not limit is unlimited (and never billed). */
export function limitOf(plan: Pick<Plan, 'limits'>, meter: MeterCode): PlanLimit {
  return plan.limits.find((l) => l.meter === meter) ?? { meter, included: null, enforcement: 'soft', overageUnitAmount: null };
}

/** Whether admission depends on the units used so far: only a HARD limit with an allowance can refuse. */
export function refusesOverLimit(limit: PlanLimit): boolean {
  return limit.enforcement === 'hard' && limit.included !== null;
}

/** Whether `quantity` more units fit. */
export function admits(limit: PlanLimit, used: number, quantity: number): boolean {
  return !refusesOverLimit(limit) || used + quantity <= limit.included!;
}

export function meterUsage(limit: PlanLimit, used: number, periodStart: Date, periodEnd: Date): MeterUsage {
  const { included } = limit;
  return {
    meter: limit.meter,
    used,
    included,
    remaining: included === null ? null : Math.max(0, included - used),
    overage: included === null ? 0 : Math.max(0, used - included),
    limitReached: included !== null && used >= included,
    periodStart,
    periodEnd,
  };
}

/** Every meter of the catalogue for a plan (unlimited where the plan sets no limit). */
export function usageOfPlan(plan: Pick<Plan, 'limits'>, usedByMeter: ReadonlyMap<string, number>, periodStart: Date, periodEnd: Date): MeterUsage[] {
  return METER_CODES.map((meter) => meterUsage(limitOf(plan, meter), usedByMeter.get(meter) ?? 0, periodStart, periodEnd));
}

const PERCENT_THRESHOLDS: [NotificationKind, number][] = [
  ['usage_50', 50],
  ['usage_80', 80],
  ['usage_100', 100],
];

/**
 * The thresholds a counter passed going from `before` to `after` units: 50%, 80% and 100% of the
 * included units, and the first unit of overage. None for an unlimited meter; with nothing
 * included, only the overage.
 */
export function thresholdsCrossed(included: number | null, before: number, after: number): NotificationKind[] {
  if (included === null || after <= before) return [];
  const crossed: NotificationKind[] = [];
  if (included > 0) {
    for (const [kind, percent] of PERCENT_THRESHOLDS) {
      if (before * 100 < percent * included && after * 100 >= percent * included) crossed.push(kind);
    }
  }
  if (before <= included && after > included) crossed.push('overage_started');
  return crossed;
}

export function notificationMessage(kind: NotificationKind, meter: MeterCode, included: number, used: number): string {
  const allowance = describeQuantity(meter, included);
  switch (kind) {
    case 'usage_50':
      return `You have used 50% of the ${allowance} included in your plan this period (${used.toLocaleString('en-US')} so far).`;
    case 'usage_80':
      return `You have used 80% of the ${allowance} included in your plan this period (${used.toLocaleString('en-US')} so far).`;
    case 'usage_100':
      return `You have used all ${allowance} included in your plan this period.`;
    case 'overage_started':
      return `You have gone past the ${allowance} included in your plan this period; further ${METERS[meter].unitPlural} are billed as overage.`;
  }
}

/**
 * OVERAGE lines for a period: one per SOFT meter with units above included and an overage price;
 * quantity = units above included, amount = quantity × unit amount (integers, minor units).
 */
export function overageLinesFor(plan: Pick<Plan, 'limits'>, usedByMeter: ReadonlyMap<string, number>, periodStart: Date, periodEnd: Date): DraftLine[] {
  const lines: DraftLine[] = [];
  for (const limit of plan.limits) {
    if (limit.enforcement !== 'soft' || limit.included === null || limit.overageUnitAmount === null) continue;
    const above = (usedByMeter.get(limit.meter) ?? 0) - limit.included;
    if (above <= 0) continue;
    lines.push({
      kind: 'overage',
      description: `${describeQuantity(limit.meter, above)} above the ${describeQuantity(limit.meter, limit.included)} included`,
      quantity: above,
      unitAmount: limit.overageUnitAmount,
      amount: above * limit.overageUnitAmount,
      periodStart,
      periodEnd,
    });
  }
  return lines;
}

/** Whole UTC days from the day of `from` up to `to` (exclusive), for usageSeries. */
export function utcDays(from: Date, to: Date): { start: Date; end: Date }[] {
  const DAY = 86_400_000;
  const days: { start: Date; end: Date }[] = [];
  for (let start = Math.floor(from.getTime() / DAY) * DAY; start < to.getTime(); start += DAY) {
    days.push({ start: new Date(start), end: new Date(start + DAY) });
  }
  return days;
}

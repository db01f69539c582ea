import type { PlanInterval } from '../plans/plans.model.js';

/**
 * Billing periods are anniversary-based, in UTC. Each period end is computed from the anchor (never
 * from the previous end), so a subscription anchored on the 31st ends on Feb 28 (or 29) and then on
 * Mar 31 again: the anchor day is kept, never drifting to the 28th. Yearly periods anchored on Feb 29
 * end on Feb 28 in common years and Feb 29 in leap years.
 */
export function addMonthsClamped(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(anchor.getUTCDate(), lastDay),
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

export const monthsIn = (interval: PlanInterval): number => (interval === 'year' ? 12 : 1);

/** The end of period number `index` (0 = the first) of a subscription anchored at `anchor`. */
export function periodEnd(anchor: Date, interval: PlanInterval, index: number): Date {
  return addMonthsClamped(anchor, monthsIn(interval) * (index + 1));
}

export function periodStart(anchor: Date, interval: PlanInterval, index: number): Date {
  return index === 0 ? anchor : periodEnd(anchor, interval, index - 1);
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000);
}

import type { Clock } from '../../src/clock/clock.js';

/** A wall clock that stands still at `at`: proration by the second stays exact in tests. */
export const frozenAt = (at: string): Clock => {
  const instant = new Date(at);
  return { now: () => new Date(instant) };
};

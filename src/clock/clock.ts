/** The one source of time for billing logic: read it once per action and pass the instant along. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Sandbox time: the real time plus an offset that only grows, so an operator (or a test) can move
 * billing forward to see renewals and trial ends without waiting. Never moves back.
 */
export class AdjustableClock implements Clock {
  constructor(
    private offsetMs = 0,
    private readonly base: Clock = systemClock,
  ) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Moves to `to` (not before now) and answers the new offset. */
  advanceTo(to: Date): number {
    const delta = to.getTime() - this.now().getTime();
    if (delta < 0) throw new RangeError('the clock never moves back');
    this.offsetMs += delta;
    return this.offsetMs;
  }
}

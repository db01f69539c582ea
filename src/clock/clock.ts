/** The one source of time for billing logic: read it once per action and pass the instant along. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

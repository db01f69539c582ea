import { describe, expect, it } from 'vitest';
import { thresholdsCrossed, utcDays, validateEvent } from '../../src/usage/usage.rules.js';

describe('usage rules', () => {
  it('names the thresholds a counter passes', () => {
    expect(thresholdsCrossed(10, 0, 4)).toEqual([]);
    expect(thresholdsCrossed(10, 4, 5)).toEqual(['usage_50']); // 5 of 10 = 50%
    expect(thresholdsCrossed(10, 0, 11)).toEqual(['usage_50', 'usage_80', 'usage_100', 'overage_started']);
    expect(thresholdsCrossed(10, 10, 11)).toEqual(['overage_started']);
    expect(thresholdsCrossed(3, 1, 2)).toEqual(['usage_50']); // 2 of 3 = 67%: 80% not yet
    expect(thresholdsCrossed(0, 0, 1)).toEqual(['overage_started']);
    expect(thresholdsCrossed(null, 0, 1_000)).toEqual([]);
  });

  it('answers whole UTC days covering from..to', () => {
    expect(utcDays(new Date('2026-03-01T23:00:00Z'), new Date('2026-03-03T00:00:00Z')).map((d) => d.start.toISOString())).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
    ]);
  });

  it('validates an event before any database work', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const base = { businessId: 'b', meter: 'calls', quantity: 1, idempotencyKey: 'k' };
    expect(validateEvent({ ...base, quantity: 1.5 }, now)).toBe('INVALID_QUANTITY');
    expect(validateEvent({ ...base, occurredAt: new Date('2026-03-10T12:05:00Z') }, now)).toMatchObject({ quantity: 1 });
    expect(validateEvent({ ...base, metadata: { a: 1 } }, now)).toMatchObject({ metadata: '{"a":1}', occurredAt: now });
  });
});

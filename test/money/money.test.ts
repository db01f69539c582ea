import { describe, expect, it } from 'vitest';
import { divideRoundHalfEven, formatMoney, minorUnitExponent, normalizeCurrency, toDecimalString } from '../../src/money/money.js';

describe('money', () => {
  it('knows each currency\'s minor unit from ISO 4217', () => {
    expect([minorUnitExponent('usd'), minorUnitExponent('JPY'), minorUnitExponent('bhd')]).toEqual([2, 0, 3]);
  });

  it('writes exact decimals without floating point', () => {
    expect(toDecimalString({ amount: 1999, currency: 'usd' })).toBe('19.99');
    expect(toDecimalString({ amount: 5, currency: 'usd' })).toBe('0.05');
    expect(toDecimalString({ amount: -250, currency: 'eur' })).toBe('-2.50');
    expect(toDecimalString({ amount: 1234, currency: 'bhd' })).toBe('1.234');
    expect(toDecimalString({ amount: 9007199254740991, currency: 'usd' })).toBe('90071992547409.91');
  });

  it('formats for display', () => {
    expect(formatMoney({ amount: 2900, currency: 'usd' })).toBe('$29.00');
    expect(formatMoney({ amount: 5000, currency: 'jpy' })).toBe('¥5,000');
    expect(formatMoney({ amount: 1, currency: 'eur' })).toBe('€0.01');
  });

  it('accepts currency codes in either case and answers lower case; refuses what ISO 4217 lacks', () => {
    expect(normalizeCurrency('USD')).toBe('usd');
    expect(normalizeCurrency(' eur ')).toBe('eur');
    expect(normalizeCurrency('usx')).toBeUndefined();
    expect(normalizeCurrency('dollars')).toBeUndefined();
  });

  it('rounds half to even, exactly', () => {
    expect(divideRoundHalfEven(5n, 2n)).toBe(2n); // 2.5 -> 2
    expect(divideRoundHalfEven(7n, 2n)).toBe(4n); // 3.5 -> 4
    expect(divideRoundHalfEven(-5n, 2n)).toBe(-2n);
    expect(divideRoundHalfEven(-7n, 2n)).toBe(-4n);
    expect(divideRoundHalfEven(10n, 3n)).toBe(3n);
    expect(divideRoundHalfEven(20n, 3n)).toBe(7n);
    expect(divideRoundHalfEven(1000n * 27n, 31n)).toBe(871n); // 1000/31*27 = 870.97
    expect(divideRoundHalfEven(1n, -2n)).toBe(0n);
  });
});

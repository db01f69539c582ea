/**
 * Money is an integer count of the currency's minor unit plus an ISO 4217 code (lower case, as Stripe
 * answers). Every rounding in the service happens here.
 */
export interface Money {
  amount: number;
  currency: string;
}

/** ISO 4217 minor-unit exponents that differ from 2. */
const EXPONENTS: Record<string, number> = {
  bif: 0, clp: 0, djf: 0, gnf: 0, isk: 0, jpy: 0, kmf: 0, krw: 0, mga: 0, pyg: 0, rwf: 0, ugx: 0,
  vnd: 0, vuv: 0, xaf: 0, xof: 0, xpf: 0,
  bhd: 3, iqd: 3, jod: 3, kwd: 3, lyd: 3, omr: 3, tnd: 3,
};

/** Currencies this service accepts: the ones Intl knows as ISO 4217 codes. */
const KNOWN = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

export function normalizeCurrency(code: string): string | undefined {
  const lower = code.trim().toLowerCase();
  return /^[a-z]{3}$/.test(lower) && KNOWN.has(lower) ? lower : undefined;
}

export function minorUnitExponent(currency: string): number {
  return EXPONENTS[currency.toLowerCase()] ?? 2;
}

/** Exact decimal string of a minor-unit amount: 1999 usd -> "19.99", 500 jpy -> "500". */
export function toDecimalString({ amount, currency }: Money): string {
  const exponent = minorUnitExponent(currency);
  const sign = amount < 0 ? '-' : '';
  const digits = Math.abs(amount).toString().padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Human display ("$19.99", "¥500"). Intl takes the exact decimal string, so no float ever rounds it. */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const exponent = minorUnitExponent(money.currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(toDecimalString(money) as unknown as number);
}

/**
 * numerator / denominator rounded to the nearest integer, ties to even (banker's rounding), in exact
 * integer arithmetic. This is the only rounding rule for money: proration and percentages use it once
 * per invoice line, so rounding never compounds.
 */
export function divideRoundHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divideRoundHalfEven(-numerator, -denominator);
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let quotient = n / denominator;
  const twiceRemainder = (n % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

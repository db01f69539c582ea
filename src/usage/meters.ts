/**
 * The meters a plan can limit and usage can be recorded against. Adding a meter is adding an entry
 * here: the catalogue, admission, the usage read model, notifications and invoicing read this table.
 *
 * - `aggregation`: `count` meters count things (a call: usually quantity 1 per event), `sum` meters
 *   add up an amount (minutes). Both are stored as the sum of the events' quantities.
 * - `unit` / `unitPlural`: how a quantity is named in notifications and invoice lines.
 * - `maxQuantity`: the largest quantity one event may carry; above it the event is INVALID_QUANTITY.
 */
export const METERS = {
  calls: { aggregation: 'count', unit: 'call', unitPlural: 'calls', description: 'Calls tracked', maxQuantity: 10_000 },
  call_minutes: { aggregation: 'sum', unit: 'minute', unitPlural: 'minutes', description: 'Minutes of calls tracked', maxQuantity: 1_000_000 },
} as const;

export type MeterCode = keyof typeof METERS;
export type MeterDefinition = (typeof METERS)[MeterCode];

export function isMeter(code: string): code is MeterCode {
  return Object.hasOwn(METERS, code);
}

/** Every meter, in catalogue order. */
export const METER_CODES = Object.keys(METERS) as MeterCode[];

/** "1 call", "37 calls". */
export function describeQuantity(meter: MeterCode, quantity: number): string {
  const m = METERS[meter];
  return `${quantity.toLocaleString('en-US')} ${quantity === 1 ? m.unit : m.unitPlural}`;
}

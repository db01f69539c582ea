/**
 * The meters a plan can limit and usage can be recorded against. Adding a meter is adding an entry
 * here: the catalogue, admission and invoicing read this table.
 */
export const METERS = {
  calls: { aggregation: 'count', unit: 'call', description: 'Calls tracked' },
  call_minutes: { aggregation: 'sum', unit: 'minute', description: 'Minutes of calls tracked' },
} as const;

export type MeterCode = keyof typeof METERS;

export function isMeter(code: string): code is MeterCode {
  return Object.hasOwn(METERS, code);
}

/**
 * Reading Stripe's form-encoded parameters (already parsed by `qs` into nested objects and strings).
 * Every value arrives as a string; an empty string means "unset" (the SDK sends `null` as `key=`).
 */
import { invalidParameter, missingParameter, unknownParameter } from './errors.js';

export type Params = Record<string, unknown>;

/** `true` = a leaf; `'map'` = free-form string map (metadata); nested object = allowed sub-keys; `'list'` = array of leaves. */
export type ParamSpec = { [key: string]: true | 'map' | 'list' | ParamSpec };

/** Every endpoint accepts expand[]; Stripe's SDK may send it on any call. */
const common: ParamSpec = { expand: 'list' };

export function checkAllowed(params: Params, spec: ParamSpec, prefix = ''): void {
  const full = prefix ? spec : { ...common, ...spec };
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    const rule = full[key];
    if (rule === undefined) throw unknownParameter(name);
    if (rule === true) {
      if (value !== null && typeof value === 'object') throw invalidParameter(name, `Invalid ${name}: must be a string`);
    } else if (rule === 'map' || rule === 'list') {
      if (value !== '' && (value === null || typeof value !== 'object')) {
        throw invalidParameter(name, `Invalid ${rule === 'map' ? 'object' : 'array'}`);
      }
      if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          if (typeof v !== 'string') throw invalidParameter(`${name}[${k}]`, `Invalid value for ${name}[${k}]: must be a string`);
        }
      }
    } else {
      if (value === '') continue;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name, `Invalid object`);
      checkAllowed(value as Params, rule, name);
    }
  }
}

/** undefined = not sent; null = sent empty (unset); else the string. */
export function optString(params: Params, name: string): string | null | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === '') return null;
  if (typeof v !== 'string') throw invalidParameter(name, `Invalid string: ${name}`);
  return v;
}

export function reqString(params: Params, name: string): string {
  const v = optString(params, name);
  if (v === undefined || v === null) throw missingParameter(name);
  return v;
}

export function optInt(params: Params, name: string): number | undefined {
  const v = optString(params, name);
  if (v === undefined || v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameter(name, `Invalid integer: ${v}`);
  return Number(v);
}

export function reqInt(params: Params, name: string): number {
  const v = optInt(params, name);
  if (v === undefined) throw missingParameter(name);
  return v;
}

export function optBool(params: Params, name: string): boolean | undefined {
  const v = optString(params, name);
  if (v === undefined || v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidParameter(name, `Invalid boolean: ${v}`);
}

export function optEnum<T extends string>(params: Params, name: string, values: readonly T[]): T | undefined {
  const v = optString(params, name);
  if (v === undefined || v === null) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    throw invalidParameter(name, `Invalid ${name}: must be one of ${values.join(', ')}`);
  }
  return v as T;
}

export function optStringList(params: Params, name: string): string[] | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || v === null) throw invalidParameter(name, `Invalid array`);
  return Object.values(v).map(String);
}

export function optObject(params: Params, name: string): Params | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  return v as Params;
}

/** Stripe's metadata update: `metadata=` clears all, `metadata[k]=` removes k, other keys are merged. */
export function mergeMetadata(current: Record<string, string>, params: Params): Record<string, string> {
  const v = params['metadata'];
  if (v === undefined) return current;
  if (v === '') return {};
  const next = { ...current };
  for (const [k, val] of Object.entries(v as Record<string, string>)) {
    if (val === '') delete next[k];
    else next[k] = val;
  }
  return next;
}

export function expandList(params: Params): string[] {
  return optStringList(params, 'expand') ?? [];
}

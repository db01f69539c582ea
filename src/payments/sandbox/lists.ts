/** Stripe list objects, cursor pagination and `expand[]`. */
import { invalidParameter, invalidRequest } from './errors.js';
import { optInt, optString, type Params } from './params.js';
import { snapshot, type Store } from './store.js';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** `items` newest first; honours limit (1..100, default 10), starting_after and ending_before. */
export function paginate<T extends { id: string }>(items: T[], params: Params, url: string): ListObject<T> {
  const limit = optInt(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidParameter('limit', 'This value must be between 1 and 100 (it currently is ' + String(limit) + ').');
  const after = optString(params, 'starting_after');
  const before = optString(params, 'ending_before');
  let start = 0;
  let end = items.length;
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) throw invalidRequest(`No such object: '${after}'`, { code: 'resource_missing', param: 'starting_after', status: 404 });
    start = i + 1;
  }
  if (before) {
    const i = items.findIndex((x) => x.id === before);
    if (i < 0) throw invalidRequest(`No such object: '${before}'`, { code: 'resource_missing', param: 'ending_before', status: 404 });
    end = i;
    start = Math.max(start, end - limit);
  }
  const data = items.slice(start, Math.min(end, start + limit));
  const hasMore = before ? start > 0 : start + data.length < end;
  return { object: 'list', data: data.map((x) => snapshot(x)), has_more: hasMore, url };
}

/**
 * Replace id strings at the given dotted paths with the objects they name (`latest_charge`,
 * `data.payment_method`, `invoice_settings.default_payment_method`). Runs on the answer only.
 */
export function expand(value: unknown, paths: string[], store: Store): unknown {
  let out = value;
  for (const path of paths) out = expandPath(out, path.split('.'), store, path);
  return out;
}

function expandPath(value: unknown, parts: string[], store: Store, full: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = parts;
  if (head === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => expandPath(v, parts, store, full));
  const obj = value as Record<string, unknown>;
  if (!(head in obj)) throw invalidRequest(`This property cannot be expanded (${full}).`, { param: 'expand' });
  let field = obj[head];
  if (typeof field === 'string') {
    const target = store.byId(field);
    if (!target) throw invalidRequest(`This property cannot be expanded (${full}).`, { param: 'expand' });
    field = snapshot(target);
  }
  return { ...obj, [head]: rest.length ? expandPath(field, rest, store, full) : field };
}

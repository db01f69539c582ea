/**
 * Fault injection for the app's tests: make the next matching API calls fail, hang or slow down, and
 * make the next webhooks arrive twice, late or out of order.
 */

export type FaultKind =
  /** Answer Stripe's `api_error` with this status WITHOUT performing the operation (no idempotent result is saved). */
  | { status: 500 | 502 | 503 }
  /**
   * Perform the operation (and save its idempotent result), then hold the answer for hangMs — longer
   * than the client's timeout. Like a real network partition after Stripe committed: a retry with the
   * same Idempotency-Key must get the stored result instead of charging twice.
   */
  | { hangMs: number }
  /** Wait delayMs BEFORE performing the operation, then answer normally (a slow Stripe). */
  | { delayMs: number };

export interface FaultRule {
  method?: 'POST' | 'GET';
  /** A RegExp tested against the path, or a path that matches itself and anything below it (`/v1/customers` matches `/v1/customers/cus_1`). */
  path: RegExp | string;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  kind: FaultKind;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

function pathMatches(pattern: RegExp | string, path: string): boolean {
  if (typeof pattern === 'string') return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
  pattern.lastIndex = 0;
  return pattern.test(path);
}

/** Webhook faults apply to the next events created after the call, in creation order. */
export class WebhookFaults {
  private duplicates = 0;
  private readonly delays: number[] = [];
  private readonly holds: Array<{ released: boolean; onRelease?: () => void }> = [];

  /** The next n events are each delivered twice (same event id), as Stripe may do. */
  duplicateNext(n = 1): void {
    this.duplicates += n;
  }

  /** The next event is delivered ms later; events created after it are not held back, so they may arrive first. */
  delayNext(ms: number): void {
    this.delays.push(ms);
  }

  /**
   * The next event is withheld until the returned function is called; later events are delivered
   * meanwhile, so the held one arrives out of order.
   */
  holdNext(): () => void {
    const hold: { released: boolean; onRelease?: () => void } = { released: false };
    this.holds.push(hold);
    return () => {
      hold.released = true;
      hold.onRelease?.();
    };
  }

  /** @internal What to do with the next event to deliver. */
  takeForEvent(): { copies: number; delayMs: number; hold?: { released: boolean; onRelease?: () => void } } {
    const copies = this.duplicates > 0 ? 2 : 1;
    if (this.duplicates > 0) this.duplicates -= 1;
    const delayMs = this.delays.shift() ?? 0;
    const hold = this.holds.shift();
    return hold ? { copies, delayMs, hold } : { copies, delayMs };
  }

  clear(): void {
    this.duplicates = 0;
    this.delays.length = 0;
    // Release pending holds so no event is lost for good.
    for (const h of this.holds.splice(0)) h.released = true;
  }
}

export class Faults {
  private rules: ActiveRule[] = [];
  readonly webhooks = new WebhookFaults();

  failNext(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('faults.failNext: times must be a positive integer');
    this.rules.push({ rule, remaining: times });
  }

  /** @internal Consume the first matching rule for this request, if any. */
  take(method: string, path: string): FaultKind | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method !== method) continue;
      if (!pathMatches(rule.path, path)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
      return rule.kind;
    }
    return undefined;
  }

  /** Pending API faults (not yet consumed). */
  pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  clear(): void {
    this.rules = [];
    this.webhooks.clear();
  }
}

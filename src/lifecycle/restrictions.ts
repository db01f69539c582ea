import type { SubscriptionRow } from '../subscriptions/subscriptions.table.js';

export interface Restrictions {
  /** Usage is refused (ACCOUNT_RESTRICTED). */
  usageBlocked: boolean;
  /** The dashboard may read but not change the product's data. */
  readOnly: boolean;
  reason: string | null;
}

const NONE: Restrictions = { usageBlocked: false, readOnly: false, reason: null };

/**
 * What an account may still do, from its subscription's state. PAST_DUE is the grace period: nothing
 * is restricted yet. UNPAID (the grace period is over) blocks usage and makes the account read-only.
 */
export function restrictionsFor(status: SubscriptionRow['status'] | undefined): Restrictions {
  if (status === 'unpaid') return { usageBlocked: true, readOnly: true, reason: 'UNPAID' };
  return NONE;
}

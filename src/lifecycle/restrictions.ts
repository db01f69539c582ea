import type postgres from 'postgres';
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

/**
 * Asked by usage admission inside its recording transaction (once per business of a batch), so a
 * restriction committed by another transaction is seen.
 */
export async function isUsageRestricted(tx: postgres.TransactionSql | postgres.Sql, businessId: string): Promise<boolean> {
  const [row] = await tx<{ status: SubscriptionRow['status'] }[]>`
    select status from subscriptions
    where business_id = ${businessId} and status in ('trialing', 'active', 'incomplete', 'past_due', 'unpaid')`;
  return restrictionsFor(row?.status).usageBlocked;
}

import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { billingEvents, type BillingEventRow } from './history.table.js';

export interface HistoryEntry {
  businessId: string;
  type: string;
  description: string;
  /** A user id, or `service`, `system`, `stripe`. */
  actor: string;
  subjectId?: string;
  data?: Record<string, unknown>;
  occurredAt: Date;
}

/** Written with `tx`, in the same transaction as the change it explains. */
export async function recordHistory(db: Db, entry: HistoryEntry): Promise<void> {
  await db.insert(billingEvents).values({ ...entry, subjectId: entry.subjectId ?? null, data: entry.data ?? null });
}

/** Newest first; the cursor is the last row's (occurredAt, seq). */
export async function listHistory(
  db: Db,
  businessId: string,
  limit: number,
  after?: { occurredAt: Date; seq: number },
): Promise<BillingEventRow[]> {
  return db
    .select()
    .from(billingEvents)
    .where(
      and(
        eq(billingEvents.businessId, businessId),
        after
          ? or(lt(billingEvents.occurredAt, after.occurredAt), and(eq(billingEvents.occurredAt, after.occurredAt), lt(billingEvents.seq, after.seq)))
          : undefined,
      ),
    )
    .orderBy(desc(billingEvents.occurredAt), desc(billingEvents.seq))
    .limit(limit);
}

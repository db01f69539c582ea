import { and, desc, eq, inArray, sql as dsql } from 'drizzle-orm';
import type postgres from 'postgres';
import type Stripe from 'stripe';
import type { Db } from '../db/client.js';
import { stripeEvents, type StripeEventRow } from './stripe-events.table.js';

export type StripeEventStatus = StripeEventRow['status'];

/**
 * Values go as text: the drizzle-configured postgres.js client passes dates and JSON through
 * unserialised. Stores a verified event unless its id is already in the inbox. Takes a postgres.js transaction so
 * the caller can enqueue its processing job in the same commit. Answers whether it was new.
 */
export async function insertIfNew(tx: postgres.TransactionSql, event: Stripe.Event): Promise<boolean> {
  const inserted = await tx`
    insert into stripe_events (id, type, created_at, payload)
    values (${event.id}, ${event.type}, ${new Date(event.created * 1000).toISOString()}, ${JSON.stringify(event)}::jsonb)
    on conflict (id) do nothing
    returning id`;
  return inserted.length === 1;
}

export async function findEvent(db: Db, id: string): Promise<StripeEventRow | undefined> {
  const [row] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, id));
  return row;
}

export async function listEvents(db: Db, statuses: StripeEventStatus[], limit: number): Promise<StripeEventRow[]> {
  return db
    .select()
    .from(stripeEvents)
    .where(statuses.length ? inArray(stripeEvents.status, statuses) : undefined)
    .orderBy(desc(stripeEvents.receivedAt), desc(stripeEvents.id))
    .limit(limit);
}

export async function markOutcome(
  db: Db,
  id: string,
  outcome: { status: 'processed' | 'ignored'; at: Date } | { status: 'failed'; error: string },
): Promise<StripeEventRow> {
  const [row] = await db
    .update(stripeEvents)
    .set(
      outcome.status === 'failed'
        ? { status: 'failed', attempts: dsql`${stripeEvents.attempts} + 1`, lastError: outcome.error.slice(0, 2000) }
        : { status: outcome.status, attempts: dsql`${stripeEvents.attempts} + 1`, lastError: null, processedAt: outcome.at },
    )
    .where(and(eq(stripeEvents.id, id)))
    .returning();
  return row!;
}

import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotentRequests, LIVE_STATUSES, subscriptions, type SubscriptionRow } from './subscriptions.table.js';

export async function findLive(db: Db, businessId: string, options: { lock?: boolean } = {}): Promise<SubscriptionRow | undefined> {
  const query = db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.businessId, businessId), inArray(subscriptions.status, [...LIVE_STATUSES])));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** The live subscription, else the most recent one (so a canceled subscription still shows). */
export async function findCurrent(db: Db, businessId: string): Promise<SubscriptionRow | undefined> {
  return (
    (await findLive(db, businessId)) ??
    (await db.select().from(subscriptions).where(eq(subscriptions.businessId, businessId)).orderBy(desc(subscriptions.createdAt)).limit(1))[0]
  );
}

/** Locks the subscription row: usage recording (which share-locks it) waits, so a closing period counts every event. */
export async function lockById(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id)).for('update');
  return row;
}

export async function findById(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  return row;
}

/**
 * A first-time customer has never had a subscription end: its current subscription, if any, is its
 * first. Promo codes marked first-time-only ask this, in validation and redemption alike.
 */
export async function isFirstTimeCustomer(db: Db, businessId: string): Promise<boolean> {
  const [ended] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.businessId, businessId), eq(subscriptions.status, 'canceled')))
    .limit(1);
  return ended === undefined;
}

export async function hadTrial(db: Db, businessId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.businessId, businessId), isNotNull(subscriptions.trialEndsAt)))
    .limit(1);
  return row !== undefined;
}

export async function insertSubscription(db: Db, values: typeof subscriptions.$inferInsert): Promise<SubscriptionRow> {
  const [row] = await db.insert(subscriptions).values(values).returning();
  return row!;
}

export async function updateSubscription(db: Db, id: string, values: Partial<typeof subscriptions.$inferInsert>): Promise<SubscriptionRow> {
  const [row] = await db.update(subscriptions).set(values).where(eq(subscriptions.id, id)).returning();
  return row!;
}

export type IdempotentRequest = typeof idempotentRequests.$inferSelect;

/** Claims a key for this business; answers the earlier request when the key was used before. */
export async function claimIdempotencyKey(
  db: Db,
  input: { businessId: string; key: string; operation: string; now: Date },
): Promise<IdempotentRequest | undefined> {
  const inserted = await db
    .insert(idempotentRequests)
    .values({ businessId: input.businessId, key: input.key, operation: input.operation, createdAt: input.now })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 1) return undefined;
  const [existing] = await db
    .select()
    .from(idempotentRequests)
    .where(and(eq(idempotentRequests.businessId, input.businessId), eq(idempotentRequests.key, input.key)));
  return existing;
}

export async function settleIdempotencyKey(
  db: Db,
  input: { businessId: string; key: string; subscriptionId?: string; error?: string },
): Promise<void> {
  await db
    .update(idempotentRequests)
    .set({ subscriptionId: input.subscriptionId ?? null, error: input.error ?? null })
    .where(and(eq(idempotentRequests.businessId, input.businessId), eq(idempotentRequests.key, input.key)));
}

export async function releaseIdempotencyKey(db: Db, businessId: string, key: string): Promise<void> {
  await db.delete(idempotentRequests).where(and(eq(idempotentRequests.businessId, businessId), eq(idempotentRequests.key, key)));
}

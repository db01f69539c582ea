import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { businesses } from '../businesses/businesses.table.js';
import { notifications, type NotificationRow } from './notifications.table.js';

/** Newest first; the cursor is the last row's (createdAt, id). */
export async function listNotifications(db: Db, businessId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<NotificationRow[]> {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.businessId, businessId),
        after ? or(lt(notifications.createdAt, after.createdAt), and(eq(notifications.createdAt, after.createdAt), lt(notifications.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
}

/** Marks a business's notification read (the first read time stays); undefined when it has no such notification. */
export async function markRead(db: Db, businessId: string, id: string, at: Date): Promise<NotificationRow | undefined> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(notifications.id, id), eq(notifications.businessId, businessId)))
    .returning();
  return row;
}

/** The notification with its business's email address, for the email job. */
export async function findForEmail(db: Db, id: string): Promise<{ notification: NotificationRow; email: string | null } | undefined> {
  const [row] = await db
    .select({ notification: notifications, email: businesses.email })
    .from(notifications)
    .innerJoin(businesses, eq(businesses.id, notifications.businessId))
    .where(eq(notifications.id, id));
  return row;
}

export async function markEmail(db: Db, id: string, values: Partial<Pick<NotificationRow, 'emailStatus' | 'emailedAt' | 'emailError'>>): Promise<void> {
  await db.update(notifications).set(values).where(eq(notifications.id, id));
}

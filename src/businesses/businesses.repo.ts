import type { Db } from '../db/client.js';
import { businesses, type BusinessRow } from './businesses.table.js';

/** The business row for a token's business_id, created on first need; concurrent first calls make one. */
export async function ensureBusiness(db: Db, id: string, name: string): Promise<BusinessRow> {
  const [inserted] = await db.insert(businesses).values({ id, name }).onConflictDoNothing().returning();
  if (inserted) return inserted;
  return (await db.query.businesses.findFirst({ where: (b, { eq }) => eq(b.id, id) }))!;
}

import { and, asc, desc, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { CardDetails } from './gateway.js';
import { paymentMethods, type PaymentMethodRow } from './payment-methods.table.js';

export async function listActive(db: Db, businessId: string): Promise<PaymentMethodRow[]> {
  return db
    .select()
    .from(paymentMethods)
    .where(and(eq(paymentMethods.businessId, businessId), isNull(paymentMethods.detachedAt)))
    .orderBy(desc(paymentMethods.isDefault), asc(paymentMethods.createdAt), asc(paymentMethods.id));
}

/** A business's own attached method; another business's id answers undefined, as if it did not exist. */
export async function findActive(db: Db, businessId: string, id: string): Promise<PaymentMethodRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentMethods)
    .where(and(eq(paymentMethods.id, id), eq(paymentMethods.businessId, businessId), isNull(paymentMethods.detachedAt)));
  return row;
}

/** Locks the card's row (if known) for the rest of the transaction. */
export async function lockById(db: Db, id: string): Promise<PaymentMethodRow | undefined> {
  const [row] = await db.select().from(paymentMethods).where(eq(paymentMethods.id, id)).for('update');
  return row;
}

export async function findById(db: Db, id: string): Promise<PaymentMethodRow | undefined> {
  const [row] = await db.select().from(paymentMethods).where(eq(paymentMethods.id, id));
  return row;
}

/** Inserts or refreshes the mirror of an attached card. */
export async function upsertAttached(db: Db, businessId: string, card: CardDetails): Promise<PaymentMethodRow> {
  const values = { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, detachedAt: null };
  const [row] = await db
    .insert(paymentMethods)
    .values({ id: card.id, businessId, ...values })
    .onConflictDoUpdate({ target: paymentMethods.id, set: values, where: eq(paymentMethods.businessId, businessId) })
    .returning();
  return row!;
}

/** Makes `id` the one default of the business (the partial unique index allows only one). */
export async function setDefault(db: Db, businessId: string, id: string | null): Promise<void> {
  await db
    .update(paymentMethods)
    .set({ isDefault: false })
    .where(and(eq(paymentMethods.businessId, businessId), eq(paymentMethods.isDefault, true), id ? ne(paymentMethods.id, id) : undefined));
  if (id) {
    await db
      .update(paymentMethods)
      .set({ isDefault: true })
      .where(and(eq(paymentMethods.id, id), eq(paymentMethods.businessId, businessId), isNull(paymentMethods.detachedAt)));
  }
}

export async function markDetached(db: Db, id: string, at: Date): Promise<PaymentMethodRow | undefined> {
  const [row] = await db
    .update(paymentMethods)
    .set({ detachedAt: at, isDefault: false })
    .where(and(eq(paymentMethods.id, id), isNull(paymentMethods.detachedAt)))
    .returning();
  return row;
}

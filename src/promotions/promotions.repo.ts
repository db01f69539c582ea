import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { PromoCode, PromoDraft } from './promotions.model.js';
import { normalizePromoCode } from './promotions.rules.js';
import { promoCodes, promoRedemptions, type PromoCodeRow, type PromoRedemptionRow } from './promotions.table.js';

export function toPromoCode(row: PromoCodeRow): PromoCode {
  return {
    id: row.id,
    code: row.code,
    percentOff: row.percentOff,
    amountOff: row.amountOff !== null && row.currency !== null ? { amount: row.amountOff, currency: row.currency } : null,
    duration: row.duration,
    durationInMonths: row.durationInMonths,
    maxRedemptions: row.maxRedemptions,
    timesRedeemed: row.timesRedeemed,
    expiresAt: row.expiresAt,
    planCodes: row.planCodes,
    firstTimeOnly: row.firstTimeOnly,
    active: row.active,
    createdAt: row.createdAt,
  };
}

/** Case-insensitive: the input is lower-cased as codes are stored. */
export async function findByCode(db: Db, code: string): Promise<PromoCode | undefined> {
  const [row] = await db.select().from(promoCodes).where(eq(promoCodes.code, normalizePromoCode(code)));
  return row ? toPromoCode(row) : undefined;
}

export async function insertPromoCode(db: Db, draft: PromoDraft): Promise<PromoCode> {
  const [row] = await db
    .insert(promoCodes)
    .values({
      code: draft.code,
      percentOff: draft.percentOff,
      amountOff: draft.amountOff?.amount ?? null,
      currency: draft.amountOff?.currency ?? null,
      duration: draft.duration,
      durationInMonths: draft.durationInMonths,
      maxRedemptions: draft.maxRedemptions,
      expiresAt: draft.expiresAt,
      planCodes: draft.planCodes,
      firstTimeOnly: draft.firstTimeOnly,
    })
    .returning();
  return toPromoCode(row!);
}

/** Deactivates an active code; undefined when there is no active code with that code. */
export async function deactivateByCode(db: Db, code: string): Promise<PromoCode | undefined> {
  const [row] = await db
    .update(promoCodes)
    .set({ active: false })
    .where(and(eq(promoCodes.code, normalizePromoCode(code)), eq(promoCodes.active, true)))
    .returning();
  return row ? toPromoCode(row) : undefined;
}

/**
 * Takes one redemption slot: increments times_redeemed only while the code is active, unexpired at
 * `now` and under max_redemptions, in one statement. Concurrent callers queue on the row lock and
 * re-check the condition against the committed count, so the count never passes max_redemptions.
 * Undefined when no slot was taken.
 */
export async function takeRedemptionSlot(db: Db, id: string, now: Date): Promise<PromoCode | undefined> {
  const [row] = await db
    .update(promoCodes)
    .set({ timesRedeemed: sql`${promoCodes.timesRedeemed} + 1` })
    .where(
      and(
        eq(promoCodes.id, id),
        eq(promoCodes.active, true),
        or(isNull(promoCodes.maxRedemptions), lt(promoCodes.timesRedeemed, promoCodes.maxRedemptions)),
        or(isNull(promoCodes.expiresAt), gt(promoCodes.expiresAt, now)),
      ),
    )
    .returning();
  return row ? toPromoCode(row) : undefined;
}

/** Records a business's redemption; undefined when the business already redeemed this code. */
export async function insertRedemption(
  db: Db,
  values: { promoCodeId: string; businessId: string; subscriptionId: string | null; redeemedAt: Date },
): Promise<PromoRedemptionRow | undefined> {
  const [row] = await db.insert(promoRedemptions).values(values).onConflictDoNothing().returning();
  return row;
}

export async function hasRedeemed(db: Db, promoCodeId: string, businessId: string): Promise<boolean> {
  const rows = await db
    .select({ id: promoRedemptions.id })
    .from(promoRedemptions)
    .where(and(eq(promoRedemptions.promoCodeId, promoCodeId), eq(promoRedemptions.businessId, businessId)))
    .limit(1);
  return rows.length > 0;
}

/** For the subscriptions module: ties a redemption to the subscription that got the discount. */
export async function setRedemptionSubscription(db: Db, redemptionId: string, subscriptionId: string): Promise<void> {
  await db.update(promoRedemptions).set({ subscriptionId }).where(eq(promoRedemptions.id, redemptionId));
}

export async function findRedemption(db: Db, promoCodeId: string, businessId: string): Promise<PromoRedemptionRow | undefined> {
  const [row] = await db
    .select()
    .from(promoRedemptions)
    .where(and(eq(promoRedemptions.promoCodeId, promoCodeId), eq(promoRedemptions.businessId, businessId)));
  return row;
}

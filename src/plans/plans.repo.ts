import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { MeterCode } from '../usage/meters.js';
import type { Plan, PlanDraft, PlanLimit } from './plans.model.js';
import { planLimits, plans, type PlanLimitRow, type PlanRow } from './plans.table.js';

function toPlan(row: PlanRow, limits: PlanLimit[]): Plan {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    interval: row.interval,
    price: { amount: row.amount, currency: row.currency },
    trialDays: row.trialDays,
    features: row.features,
    limits,
    active: row.archivedAt === null,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
  };
}

function toLimit(row: PlanLimitRow): PlanLimit {
  return {
    meter: row.meter as MeterCode,
    included: row.included,
    enforcement: row.enforcement,
    overageUnitAmount: row.overageUnitAmount,
  };
}

async function withLimits(db: Db, rows: PlanRow[]): Promise<Plan[]> {
  const limits = await limitsByPlanIds(db, rows.map((r) => r.id));
  return rows.map((row) => toPlan(row, limits.get(row.id) ?? []));
}

/** Limits of many plans in one statement, grouped by plan id (the DataLoader's batch function). */
export async function limitsByPlanIds(db: Db, planIds: readonly string[]): Promise<Map<string, PlanLimit[]>> {
  const grouped = new Map<string, PlanLimit[]>();
  if (planIds.length === 0) return grouped;
  const rows = await db
    .select()
    .from(planLimits)
    .where(inArray(planLimits.planId, [...planIds]))
    .orderBy(asc(planLimits.meter));
  for (const row of rows) {
    const list = grouped.get(row.planId) ?? [];
    list.push(toLimit(row));
    grouped.set(row.planId, list);
  }
  return grouped;
}

/** Catalogue order: cheapest first, monthly before yearly at the same price. */
export async function listPlans(db: Db, options: { includeArchived: boolean }): Promise<Plan[]> {
  const rows = await db
    .select()
    .from(plans)
    .where(options.includeArchived ? undefined : isNull(plans.archivedAt))
    .orderBy(asc(plans.interval), asc(plans.amount), asc(plans.code));
  return withLimits(db, rows);
}

export async function findPlanByCode(db: Db, code: string): Promise<Plan | undefined> {
  const [row] = await db.select().from(plans).where(eq(plans.code, code));
  return row ? (await withLimits(db, [row]))[0] : undefined;
}

export async function countPlans(db: Db): Promise<number> {
  return db.$count(plans);
}

/** Inserts a plan and its limits; the caller runs it in a transaction. */
export async function insertPlan(db: Db, draft: PlanDraft): Promise<Plan> {
  const [row] = await db
    .insert(plans)
    .values({
      code: draft.code,
      name: draft.name,
      description: draft.description,
      interval: draft.interval,
      amount: draft.price.amount,
      currency: draft.price.currency,
      trialDays: draft.trialDays,
      features: draft.features,
    })
    .returning();
  if (draft.limits.length > 0) {
    await db.insert(planLimits).values(draft.limits.map((limit) => ({ planId: row!.id, ...limit })));
  }
  return toPlan(row!, draft.limits);
}

/** Archives an active plan; answers undefined when there is no active plan with that code. */
export async function archivePlanByCode(db: Db, code: string, at: Date): Promise<PlanRow | undefined> {
  const [row] = await db
    .update(plans)
    .set({ archivedAt: at })
    .where(and(eq(plans.code, code), isNull(plans.archivedAt)))
    .returning();
  return row;
}

export async function findPlanById(db: Db, id: string): Promise<Plan | undefined> {
  const [row] = await db.select().from(plans).where(eq(plans.id, id));
  return row ? (await withLimits(db, [row]))[0] : undefined;
}

export async function plansByIds(db: Db, ids: readonly string[]): Promise<Plan[]> {
  if (ids.length === 0) return [];
  return withLimits(db, await db.select().from(plans).where(inArray(plans.id, [...ids])));
}

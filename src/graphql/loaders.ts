import DataLoader from 'dataloader';
import type { Db } from '../db/client.js';
import * as invoicesRepo from '../invoices/invoices.repo.js';
import type { InvoiceLineRow, PaymentRow } from '../invoices/invoices.table.js';
import type { Plan } from '../plans/plans.model.js';
import { plansByIds } from '../plans/plans.repo.js';

function groupBy<T>(rows: T[], key: (row: T) => string, ids: readonly string[]): T[][] {
  const grouped = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) grouped.get(key(row))?.push(row);
  return ids.map((id) => grouped.get(id) ?? []);
}

/** Per-request batching: a list of N invoices loads its lines and payments in one statement each. */
export function createLoaders(db: Db) {
  return {
    invoiceLines: new DataLoader<string, InvoiceLineRow[]>(async (ids) => groupBy(await invoicesRepo.linesOf(db, ids), (l) => l.invoiceId, ids)),
    invoicePayments: new DataLoader<string, PaymentRow[]>(async (ids) => groupBy(await invoicesRepo.paymentsOf(db, ids), (p) => p.invoiceId, ids)),
    planById: new DataLoader<string, Plan | undefined>(async (ids) => {
      const found = new Map((await plansByIds(db, ids)).map((plan) => [plan.id, plan]));
      return ids.map((id) => found.get(id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

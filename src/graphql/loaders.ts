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

/**
 * Per-request batching: a list of N invoices loads its lines and payments in one statement each.
 * Each loader is made on first use, as most requests (usage checks and recordings) never use one.
 * Getters on the class, not on the object: Apollo copies the request context's own properties.
 */
export class Loaders {
  private invoiceLinesLoader?: DataLoader<string, InvoiceLineRow[]>;
  private invoicePaymentsLoader?: DataLoader<string, PaymentRow[]>;
  private planByIdLoader?: DataLoader<string, Plan | undefined>;

  constructor(private readonly db: Db) {}

  get invoiceLines(): DataLoader<string, InvoiceLineRow[]> {
    return (this.invoiceLinesLoader ??= new DataLoader(async (ids) => groupBy(await invoicesRepo.linesOf(this.db, ids), (l) => l.invoiceId, ids)));
  }

  get invoicePayments(): DataLoader<string, PaymentRow[]> {
    return (this.invoicePaymentsLoader ??= new DataLoader(async (ids) => groupBy(await invoicesRepo.paymentsOf(this.db, ids), (p) => p.invoiceId, ids)));
  }

  get planById(): DataLoader<string, Plan | undefined> {
    return (this.planByIdLoader ??= new DataLoader(async (ids) => {
      const found = new Map((await plansByIds(this.db, ids)).map((plan) => [plan.id, plan]));
      return ids.map((id) => found.get(id));
    }));
  }
}

import { eq } from 'drizzle-orm';
import { ensureBusiness } from '../businesses/businesses.repo.js';
import { businesses } from '../businesses/businesses.table.js';
import type { Database, Db } from '../db/client.js';
import { recordHistory } from '../history/history.repo.js';
import type { PaymentGateway } from './gateway.js';

/**
 * One Stripe customer per business, created on first need. The business row is locked while the
 * customer is created, and the idempotency key is the business id, so concurrent first requests,
 * and a retry after a crash, all end with the same single customer.
 */
export class CustomerService {
  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGateway,
  ) {}

  async ensureCustomer(businessId: string): Promise<string> {
    const business = await ensureBusiness(this.db, businessId, businessId);
    if (business.stripeCustomerId) return business.stripeCustomerId;
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(businesses).where(eq(businesses.id, businessId)).for('update');
      if (locked!.stripeCustomerId) return locked!.stripeCustomerId;
      const customerId = await this.gateway.createCustomer({ businessId, name: locked!.name, email: locked!.email });
      await tx.update(businesses).set({ stripeCustomerId: customerId }).where(eq(businesses.id, businessId));
      return customerId;
    });
  }

  /** Name and email are the business's; the Stripe customer follows (receipts, dashboard). */
  async updateDetails(businessId: string, details: { name: string; email: string | null }, actor: string, now: Date): Promise<void> {
    await ensureBusiness(this.db, businessId, details.name);
    const customerId = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(businesses)
        .set({ name: details.name, email: details.email })
        .where(eq(businesses.id, businessId))
        .returning({ customerId: businesses.stripeCustomerId });
      await recordHistory(tx, { businessId, type: 'account.details_updated', description: `Billing details set to ${details.name}${details.email ? ` <${details.email}>` : ''}`, actor, occurredAt: now });
      return row?.customerId;
    });
    if (customerId) await this.gateway.updateCustomer(customerId, details);
  }

  async businessOfCustomer(db: Db, customerId: string): Promise<string | undefined> {
    const [row] = await db.select({ id: businesses.id }).from(businesses).where(eq(businesses.stripeCustomerId, customerId));
    return row?.id;
  }

  async customerOf(db: Db, businessId: string): Promise<string | undefined> {
    const [row] = await db
      .select({ customerId: businesses.stripeCustomerId })
      .from(businesses)
      .where(eq(businesses.id, businessId));
    return row?.customerId ?? undefined;
  }
}

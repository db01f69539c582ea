import { eq } from 'drizzle-orm';
import { ensureBusiness } from '../businesses/businesses.repo.js';
import { businesses } from '../businesses/businesses.table.js';
import type { Database, Db } from '../db/client.js';
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

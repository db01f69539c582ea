import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import type { Database } from '../db/client.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import { findPlanById } from '../plans/plans.repo.js';
import { findLive } from '../subscriptions/subscriptions.repo.js';
import type { Logger } from '../log/logger.js';
import type { CustomerService } from './customers.js';
import type { PaymentGateway } from './gateway.js';
import * as repo from './payment-methods.repo.js';
import type { PaymentMethodRow } from './payment-methods.table.js';

/**
 * Saved cards. Stripe holds the cards; this keeps the mirror (brand, last4, expiry, default) that the
 * dashboard reads, written here on each change and converged by webhooks.
 */
export class PaymentMethodService {
  constructor(
    private readonly db: Database,
    private readonly gateway: PaymentGateway,
    private readonly customers: CustomerService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  list(businessId: string): Promise<PaymentMethodRow[]> {
    return repo.listActive(this.db, businessId);
  }

  async createSetupIntent(businessId: string): Promise<{ id: string; clientSecret: string }> {
    const customerId = await this.customers.ensureCustomer(businessId);
    return this.gateway.createSetupIntent(customerId, randomUUID());
  }

  async attach(businessId: string, paymentMethodId: string, makeDefault: boolean, actor: string): Promise<PaymentMethodRow> {
    const known = await repo.findById(this.db, paymentMethodId);
    if (known && known.businessId !== businessId) throw new NotFoundError(`Payment method "${paymentMethodId}"`);
    const customerId = await this.customers.ensureCustomer(businessId);
    const card = await this.gateway.attachPaymentMethod(paymentMethodId, customerId);
    const row = await this.db.transaction(async (tx) => {
      const hasDefault = (await repo.listActive(tx, businessId)).some((m) => m.isDefault && m.id !== card.id);
      await repo.upsertAttached(tx, businessId, card);
      if (makeDefault || !hasDefault) await repo.setDefault(tx, businessId, card.id);
      return (await repo.findActive(tx, businessId, card.id))!;
    });
    if (row.isDefault) await this.gateway.setDefaultPaymentMethod(customerId, row.id);
    this.log.info({ businessId, paymentMethodId: row.id, isDefault: row.isDefault, actor }, 'payment method attached');
    return row;
  }

  async setDefault(businessId: string, id: string, actor: string): Promise<PaymentMethodRow> {
    const row = await this.db.transaction(async (tx) => {
      if (!(await repo.findActive(tx, businessId, id))) throw new NotFoundError(`Payment method "${id}"`);
      await repo.setDefault(tx, businessId, id);
      return (await repo.findActive(tx, businessId, id))!;
    });
    await this.gateway.setDefaultPaymentMethod(await this.customers.ensureCustomer(businessId), id);
    this.log.info({ businessId, paymentMethodId: id, actor }, 'default payment method set');
    return row;
  }

  async detach(businessId: string, id: string, actor: string): Promise<void> {
    const method = await repo.findActive(this.db, businessId, id);
    if (!method) throw new NotFoundError(`Payment method "${id}"`);
    if (method.isDefault && (await this.paysForLiveSubscription(businessId))) {
      throw new ConflictError('This card pays for the subscription: make another card the default first');
    }
    await this.gateway.detachPaymentMethod(id);
    await repo.markDetached(this.db, id, this.clock.now());
    this.log.info({ businessId, paymentMethodId: id, actor }, 'payment method detached');
  }

  private async paysForLiveSubscription(businessId: string): Promise<boolean> {
    const subscription = await findLive(this.db, businessId);
    const plan = subscription ? await findPlanById(this.db, subscription.planId) : undefined;
    return (plan?.price.amount ?? 0) > 0;
  }

  /**
   * Converges the mirror with Stripe's current state of one payment method: the webhook handlers'
   * single entry point, so event order and repeats do not matter.
   */
  async syncFromStripe(paymentMethodId: string): Promise<void> {
    const card = await this.gateway.retrievePaymentMethod(paymentMethodId);
    const known = await repo.findById(this.db, paymentMethodId);
    const businessId = card?.customerId
      ? await this.customers.businessOfCustomer(this.db, card.customerId)
      : undefined;
    if (card && businessId && (!known || known.businessId === businessId)) {
      await repo.upsertAttached(this.db, businessId, card);
    } else if (known && !known.detachedAt) {
      await repo.markDetached(this.db, paymentMethodId, this.clock.now());
    }
  }

  /**
   * Converges the default with the customer's invoice_settings at Stripe when it names one of the
   * business's cards (changed in Stripe's dashboard, say). An unset default there leaves ours alone.
   */
  async syncDefaultFromStripe(customerId: string): Promise<void> {
    const businessId = await this.customers.businessOfCustomer(this.db, customerId);
    const defaultId = businessId ? await this.gateway.defaultPaymentMethodOf(customerId) : null;
    if (!businessId || !defaultId) return;
    await this.db.transaction(async (tx) => {
      if (await repo.findActive(tx, businessId, defaultId)) await repo.setDefault(tx, businessId, defaultId);
    });
  }
}

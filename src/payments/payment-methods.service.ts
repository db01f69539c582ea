import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import type { Database, Tx } from '../db/client.js';
import { recordHistory } from '../history/history.repo.js';
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
      const attached = (await repo.findActive(tx, businessId, card.id))!;
      await this.history(tx, businessId, 'payment_method.attached', `${describe(attached)} added${attached.isDefault ? ' as the default' : ''}`, actor, attached.id);
      return attached;
    });
    if (row.isDefault) await this.gateway.setDefaultPaymentMethod(customerId, row.id);
    this.log.info({ businessId, paymentMethodId: row.id, isDefault: row.isDefault, actor }, 'payment method attached');
    return row;
  }

  async setDefault(businessId: string, id: string, actor: string): Promise<PaymentMethodRow> {
    const row = await this.db.transaction(async (tx) => {
      if (!(await repo.findActive(tx, businessId, id))) throw new NotFoundError(`Payment method "${id}"`);
      await repo.setDefault(tx, businessId, id);
      const chosen = (await repo.findActive(tx, businessId, id))!;
      await this.history(tx, businessId, 'payment_method.default_set', `${describe(chosen)} is now the default`, actor, id);
      return chosen;
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
    // Under the card's row lock, so a webhook sync that read Stripe before the detach cannot
    // write the card back afterwards.
    await this.db.transaction(async (tx) => {
      await repo.lockById(tx, id);
      await this.gateway.detachPaymentMethod(id);
      if (await repo.markDetached(tx, id, this.clock.now())) {
        await this.history(tx, businessId, 'payment_method.detached', `${describe(method)} removed`, actor, id);
      }
    });
    this.log.info({ businessId, paymentMethodId: id, actor }, 'payment method detached');
  }

  private history(tx: Tx, businessId: string, type: string, description: string, actor: string, subjectId: string): Promise<void> {
    return recordHistory(tx, { businessId, type, description, actor, subjectId, occurredAt: this.clock.now() });
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
    await this.db.transaction(async (tx) => {
      // Stripe is read while the card's row is locked: a concurrent detach finishes first, or waits.
      const known = await repo.lockById(tx, paymentMethodId);
      const card = await this.gateway.retrievePaymentMethod(paymentMethodId);
      const businessId = card?.customerId ? await this.customers.businessOfCustomer(tx, card.customerId) : undefined;
      if (card && businessId && (!known || known.businessId === businessId)) {
        const row = await repo.upsertAttached(tx, businessId, card);
        if (!known || known.detachedAt) await this.history(tx, businessId, 'payment_method.attached', `${describe(row)} added`, 'stripe', row.id);
      } else if (known && (await repo.markDetached(tx, paymentMethodId, this.clock.now()))) {
        await this.history(tx, known.businessId, 'payment_method.detached', `${describe(known)} removed at Stripe`, 'stripe', known.id);
      }
    });
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

const describe = (method: PaymentMethodRow) => `${method.brand} ending ${method.last4}`;

import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { businesses } from '../businesses/businesses.table.js';

/**
 * Local mirror of the cards attached to each business's Stripe customer. Written by the payment
 * method service and converged by webhooks; card numbers never reach this server.
 */
export const paymentMethods = pgTable(
  'payment_methods',
  {
    /** Stripe's payment method id (pm_...). */
    id: text('id').primaryKey(),
    businessId: text('business_id')
      .notNull()
      .references(() => businesses.id),
    /** Mirrors Stripe: card.brand, card.last4, card.exp_month, card.exp_year. */
    brand: text('brand').notNull(),
    last4: text('last4').notNull(),
    expMonth: integer('exp_month').notNull(),
    expYear: integer('exp_year').notNull(),
    /** Ours, mirrored to the customer's invoice_settings.default_payment_method. */
    isDefault: boolean('is_default').notNull().default(false),
    /** Set when Stripe no longer has it attached (detached here or elsewhere). */
    detachedAt: timestamp('detached_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('payment_methods_business_idx').on(t.businessId),
    uniqueIndex('payment_methods_one_default_per_business')
      .on(t.businessId)
      .where(sql`${t.isDefault} and ${t.detachedAt} is null`),
  ],
);

export type PaymentMethodRow = typeof paymentMethods.$inferSelect;

/** Every table, for the query builder's relational API. drizzle-kit reads the *.table.ts files directly. */
export * from '../businesses/businesses.table.js';
export * from '../plans/plans.table.js';
export * from '../payments/payment-methods.table.js';
export * from '../webhooks/stripe-events.table.js';
export * from '../clock/clock.table.js';
export * from '../history/history.table.js';
export * from '../invoices/invoices.table.js';
export * from '../subscriptions/subscriptions.table.js';
export * from '../promotions/promotions.table.js';
export * from '../usage/usage.table.js';
export * from '../notifications/notifications.table.js';

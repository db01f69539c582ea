import { index, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { businesses } from '../businesses/businesses.table.js';
import { subscriptions } from '../subscriptions/subscriptions.table.js';

export const notificationKindEnum = pgEnum('notification_kind', ['usage_50', 'usage_80', 'usage_100', 'overage_started']);
export const notificationEmailStatusEnum = pgEnum('notification_email_status', ['pending', 'sent', 'not_needed']);

/**
 * Messages to a business about its usage. Written by the usage engine inside the recording
 * transaction (one per threshold per meter per period, whatever the concurrency: the unique
 * constraint and "on conflict do nothing"); `read_at` by markNotificationRead; `email_*` by the
 * notification email job.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: text('business_id')
      .notNull()
      .references(() => businesses.id),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    meter: text('meter').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    kind: notificationKindEnum('kind').notNull(),
    message: text('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    /** pending: a job will send it; sent: see emailed_at; not_needed: no SMTP_URL or no business email. */
    emailStatus: notificationEmailStatusEnum('email_status').notNull(),
    emailedAt: timestamp('emailed_at', { withTimezone: true }),
    /** The last sending error, kept while the job retries. */
    emailError: text('email_error'),
  },
  (t) => [
    unique('notifications_once_per_threshold').on(t.subscriptionId, t.meter, t.periodStart, t.kind),
    index('notifications_business_created_idx').on(t.businessId, t.createdAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;

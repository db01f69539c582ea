import nodemailer, { type Transporter } from 'nodemailer';
import type { Clock } from '../clock/clock.js';
import type { Database } from '../db/client.js';
import { NotFoundError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Queue } from '../queue/queue.js';
import { NOTIFICATION_EMAIL_QUEUE } from '../usage/usage.engine.js';
import * as repo from './notifications.repo.js';
import type { NotificationRow } from './notifications.table.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SUBJECTS: Record<NotificationRow['kind'], string> = {
  usage_50: 'You have used half of your plan\'s allowance',
  usage_80: 'You have used 80% of your plan\'s allowance',
  usage_100: 'You have used all of your plan\'s allowance',
  overage_started: 'Usage above your plan is now billed as overage',
};

/**
 * Usage notifications: the list and read marks for the dashboard, and the email job. Notifications
 * are written by the usage engine in the recording transaction, with their email job.
 */
export class NotificationService {
  private readonly transport: Transporter | undefined;

  constructor(
    private readonly deps: { db: Database; queue: Queue; clock: Clock; log: Logger; smtpUrl: string | undefined; mailFrom: string },
  ) {
    this.transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : undefined;
  }

  list(businessId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<NotificationRow[]> {
    return repo.listNotifications(this.deps.db, businessId, limit, after);
  }

  /** Another business's id answers NOT_FOUND, as if it did not exist. */
  async markRead(businessId: string, id: string): Promise<NotificationRow> {
    const row = UUID.test(id) ? await repo.markRead(this.deps.db, businessId, id, this.deps.clock.now()) : undefined;
    if (!row) throw new NotFoundError(`Notification "${id}"`);
    return row;
  }

  /**
   * Sends one notification's email, once: a sent one is skipped, a business without an email is
   * marked not_needed. A failed send is recorded and rethrown, so the queue retries it.
   */
  async sendEmail(notificationId: string): Promise<void> {
    const found = await repo.findForEmail(this.deps.db, notificationId);
    if (!found || found.notification.emailStatus !== 'pending') return;
    const { notification, email } = found;
    if (!email || !this.transport) {
      await repo.markEmail(this.deps.db, notificationId, { emailStatus: 'not_needed' });
      return;
    }
    try {
      await this.transport.sendMail({
        from: this.deps.mailFrom,
        to: email,
        subject: SUBJECTS[notification.kind],
        text: `${notification.message}\n\nSee your usage in the billing dashboard.\n`,
        headers: { 'X-Notification-Id': notification.id },
      });
    } catch (error) {
      await repo.markEmail(this.deps.db, notificationId, { emailError: error instanceof Error ? error.message : String(error) });
      this.deps.log.warn({ notificationId, err: error }, 'notification email failed; will retry');
      throw error;
    }
    await repo.markEmail(this.deps.db, notificationId, { emailStatus: 'sent', emailedAt: this.deps.clock.now(), emailError: null });
    this.deps.log.info({ notificationId, kind: notification.kind }, 'notification emailed');
  }

  startWorker(): Promise<void> {
    return this.deps.queue.work<{ notificationId: string }>(NOTIFICATION_EMAIL_QUEUE, ({ notificationId }) => this.sendEmail(notificationId));
  }
}

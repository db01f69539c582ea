import { and, inArray, lte, or, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { InvoiceService } from '../invoices/invoices.service.js';
import type { Logger } from '../log/logger.js';
import type { Queue } from '../queue/queue.js';
import type { SubscriptionService } from '../subscriptions/subscriptions.service.js';
import { LIVE_STATUSES, subscriptions } from '../subscriptions/subscriptions.table.js';

export const LIFECYCLE_QUEUE = 'lifecycle-tick';

/**
 * Applies every transition due by a given time: trial ends, renewals, scheduled cancellations and
 * downgrades, expired 3-D Secure first payments; then charges the renewal invoices off session. Run
 * by a pg-boss schedule every minute (one instance at a time picks it up) and by `advanceClock`
 * before it answers.
 */
export class LifecycleService {
  constructor(
    private readonly db: Database,
    private readonly subscriptions: SubscriptionService,
    private readonly invoices: InvoiceService,
    private readonly log: Logger,
  ) {}

  async applyDue(now: Date): Promise<{ subscriptions: number; invoices: number }> {
    const due = await this.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(
        and(
          inArray(subscriptions.status, [...LIVE_STATUSES]),
          or(
            and(eq(subscriptions.status, 'trialing'), lte(subscriptions.trialEndsAt, now)),
            and(eq(subscriptions.status, 'incomplete'), lte(subscriptions.incompleteExpiresAt, now)),
            and(inArray(subscriptions.status, ['active', 'past_due', 'unpaid']), lte(subscriptions.currentPeriodEnd, now)),
          ),
        ),
      );
    let charged = 0;
    for (const { id } of due) {
      const invoices = await this.subscriptions.applyDueTransitions(id, now);
      for (const invoice of invoices) {
        charged += 1;
        try {
          const { outcome } = await this.invoices.collect(invoice.id, 'system', { offSession: true });
          if (outcome.status === 'failed') await this.subscriptions.markPastDue(invoice, outcome.declineCode);
          if (outcome.status === 'requires_action') await this.subscriptions.markPastDue(invoice, 'authentication_required');
        } catch (error) {
          // The invoice is stored and open: the next tick or payInvoice collects it.
          this.log.warn({ err: error, invoiceId: invoice.id }, 'renewal charge did not complete');
        }
      }
    }
    if (due.length) this.log.info({ subscriptions: due.length, invoices: charged, at: now.toISOString() }, 'lifecycle transitions applied');
    return { subscriptions: due.length, invoices: charged };
  }

  async startWorker(queue: Queue, now: () => Date): Promise<void> {
    await queue.work(LIFECYCLE_QUEUE, async () => void (await this.applyDue(now())), { concurrency: 1 });
    await queue.schedule(LIFECYCLE_QUEUE, '* * * * *');
  }
}

import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { BadUserInputError, ForbiddenError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { AdjustableClock, systemClock, type Clock } from './clock.js';
import { clockState } from './clock.table.js';

const ROW = 'billing';

/**
 * The service's clock. With live Stripe keys it is the wall clock; in sandbox mode an operator can
 * move it forward (`advanceClock`), and the offset is kept in the database so a restart never moves
 * time back.
 */
export class BillingClock implements Clock {
  private constructor(
    private readonly db: Database,
    private readonly adjustable: AdjustableClock,
    private readonly sandbox: boolean,
    private readonly log: Logger,
  ) {}

  static async load(db: Database, options: { sandbox: boolean; log: Logger; base?: Clock }): Promise<BillingClock> {
    const [row] = await db.select().from(clockState).where(eq(clockState.id, ROW));
    const offset = options.sandbox ? (row?.offsetMs ?? 0) : 0;
    return new BillingClock(db, new AdjustableClock(offset, options.base ?? systemClock), options.sandbox, options.log);
  }

  now(): Date {
    return this.adjustable.now();
  }

  async advanceTo(to: Date, actor: string): Promise<Date> {
    if (!this.sandbox) throw new ForbiddenError('advanceClock works in sandbox mode only (no STRIPE_SECRET_KEY)');
    const now = this.now();
    if (to.getTime() < now.getTime()) {
      throw new BadUserInputError(`The clock never moves back: it is already ${now.toISOString()}`, 'to');
    }
    const offsetMs = this.adjustable.advanceTo(to);
    await this.db
      .insert(clockState)
      .values({ id: ROW, offsetMs, updatedAt: new Date() })
      .onConflictDoUpdate({ target: clockState.id, set: { offsetMs, updatedAt: new Date() } });
    this.log.info({ to: to.toISOString(), actor }, 'billing clock advanced');
    return this.now();
  }
}

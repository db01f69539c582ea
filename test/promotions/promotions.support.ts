import { ensureBusiness } from '../../src/businesses/businesses.repo.js';
import type { Clock } from '../../src/clock/clock.js';
import { AppError } from '../../src/errors/errors.js';
import type { TestApp } from '../support/app.js';

/** A clock the test moves by hand; starts at the real time so "in the future" means what it says. */
export function manualClock(start = new Date()): Clock & { set(to: Date): void; advance(ms: number): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (to) => {
      now = new Date(to);
    },
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

/** Redeems `code` for a business in a transaction of its own, as the subscriptions module will. */
export async function redeemFor(
  app: TestApp,
  businessId: string,
  code: string,
  options: { planCode?: string; isFirstTimeCustomer?: boolean } = {},
) {
  const { db, clock, promotions } = app.services;
  await ensureBusiness(db, businessId, `Business ${businessId}`);
  return db.transaction((tx) =>
    promotions.redeem(tx, {
      code,
      businessId,
      planCode: options.planCode ?? 'starter_monthly',
      isFirstTimeCustomer: options.isFirstTimeCustomer,
      subscriptionId: null,
      now: clock.now(),
    }),
  );
}

/** The reason of a PROMO_CODE_INVALID thrown by `call`; fails when it succeeds or throws anything else. */
export async function invalidReason(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError) || error.code !== 'PROMO_CODE_INVALID') {
    throw new Error(`expected PROMO_CODE_INVALID, got ${error === undefined ? 'success' : String(error)}`);
  }
  return error.extensions.reason as string;
}

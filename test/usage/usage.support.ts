import type { GraphQLClient } from 'graphql-request';
import { CreatePlanDocument, SubscribeDocument } from '../generated/graphql.js';
import type { TestApp } from '../support/app.js';

/** A free plan (no card needed) with the given limits, created by the operator. */
export async function createFreePlan(
  app: TestApp,
  code: string,
  limits: { meter: string; included: number | null; enforcement: 'HARD' | 'SOFT'; overageUnitAmount?: number | null }[],
): Promise<void> {
  const operator = await app.operator();
  await operator.request(CreatePlanDocument, { input: { code, name: code, interval: 'MONTH', amount: 0, currency: 'usd', limits } });
}

/** The business's owner subscribes to `planCode`; answers the owner's client. */
export async function subscribed(app: TestApp, businessId: string, planCode: string): Promise<GraphQLClient> {
  const owner = await app.ownerOf(businessId);
  await owner.request(SubscribeDocument, { input: { planCode } });
  return owner;
}

/** The call-tracking service's client (scope usage:write, no business). */
export async function usageWriter(app: TestApp): Promise<GraphQLClient> {
  return app.client(await app.token({ sub: 'call-tracking', scopes: ['usage:write'] }));
}

let sequence = 0;
/** A fresh idempotency key, as the call-tracking service derives one from a call id. */
export const callKey = (prefix = 'call') => `${prefix}-${process.pid}-${++sequence}`;

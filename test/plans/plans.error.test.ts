import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchivePlanDocument, CreatePlanDocument, PlansDocument, type CreatePlanInput } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const valid: CreatePlanInput = {
  code: 'team_monthly',
  name: 'Team',
  interval: 'MONTH',
  amount: 4900,
  currency: 'usd',
  limits: [{ meter: 'calls', included: 5000, enforcement: 'SOFT', overageUnitAmount: 4 }],
};

describe('plan catalogue: bad input and conflicts', () => {
  it.each([
    ['an unknown currency', { currency: 'usx' }, 'currency'],
    ['a negative price', { amount: -1 }, 'amount'],
    ['a code with spaces', { code: 'team plan' }, 'code'],
    ['an empty name', { name: '  ' }, 'name'],
    ['a trial longer than a year', { trialDays: 400 }, 'trialDays'],
    ['an unknown meter', { limits: [{ meter: 'sms', included: 1, enforcement: 'HARD' as const }] }, 'limits[0].meter'],
    ['a negative allowance', { limits: [{ meter: 'calls', included: -5, enforcement: 'HARD' as const }] }, 'limits[0].included'],
    [
      'an overage price on a HARD limit',
      { limits: [{ meter: 'calls', included: 5, enforcement: 'HARD' as const, overageUnitAmount: 3 }] },
      'limits[0].overageUnitAmount',
    ],
    [
      'the same meter twice',
      {
        limits: [
          { meter: 'calls', included: 5, enforcement: 'HARD' as const },
          { meter: 'calls', included: 9, enforcement: 'HARD' as const },
        ],
      },
      'limits',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field, and stores nothing', async (_what, change, field) => {
    const operator = await app.operator();
    const error = await expectGraphQLError(
      operator.request(CreatePlanDocument, { input: { ...valid, code: `bad_${field.replace(/\W/g, '')}`, ...change } }),
      'BAD_USER_INPUT',
    );
    expect(error.extensions.field).toBe(field);
    const { plans } = await operator.request(PlansDocument);
    expect(plans.map((p) => p.code).filter((c) => c.startsWith('bad_') || c === 'team plan')).toEqual([]);
  });

  it('refuses a GraphQL-level type error (a price given as a float) as BAD_USER_INPUT', async () => {
    const operator = await app.operator();
    await expectGraphQLError(
      operator.request(CreatePlanDocument, { input: { ...valid, code: 'floaty', amount: 49.99 } }),
      'BAD_USER_INPUT',
    );
  });

  it('answers CONFLICT for a code already taken, even by an archived plan', async () => {
    const operator = await app.operator();
    await operator.request(CreatePlanDocument, { input: { ...valid, code: 'taken' } });
    await operator.request(ArchivePlanDocument, { code: 'taken' });
    await expectGraphQLError(operator.request(CreatePlanDocument, { input: { ...valid, code: 'TAKEN' } }), 'CONFLICT');
  });

  it('answers NOT_FOUND when archiving a plan that does not exist', async () => {
    const operator = await app.operator();
    await expectGraphQLError(operator.request(ArchivePlanDocument, { code: 'no_such_plan' }), 'NOT_FOUND');
  });
});

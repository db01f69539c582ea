import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchivePlanDocument, CreatePlanDocument, PlansDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('plan catalogue', () => {
  it('answers the Plans operation with the seeded catalogue: a free tier, two paid monthly tiers and a yearly tier', async () => {
    const member = await app.memberOf('biz_catalogue');
    const { plans } = await member.request(PlansDocument);

    expect(plans.map((p) => [p.code, p.interval, p.price.amount, p.price.currency])).toEqual([
      ['free', 'MONTH', 0, 'usd'],
      ['starter_monthly', 'MONTH', 2900, 'usd'],
      ['growth_monthly', 'MONTH', 9900, 'usd'],
      ['growth_yearly', 'YEAR', 99000, 'usd'],
    ]);
    const starter = plans.find((p) => p.code === 'starter_monthly')!;
    expect(starter).toMatchObject({
      name: 'Starter',
      trialDays: 14,
      active: true,
      price: { formatted: '$29.00' },
      features: ['call_tracking', 'call_recording', 'email_support'],
    });
    expect(starter.limits).toEqual([
      { meter: 'call_minutes', included: 10000, enforcement: 'SOFT', overageUnitPrice: { amount: 2, currency: 'usd' } },
      { meter: 'calls', included: 2000, enforcement: 'SOFT', overageUnitPrice: { amount: 5, currency: 'usd' } },
    ]);
    const free = plans.find((p) => p.code === 'free')!;
    expect(free.limits.every((l) => l.enforcement === 'HARD' && l.overageUnitPrice === null)).toBe(true);
  });

  it('lets an operator create a plan, which the catalogue then lists with its limits and features', async () => {
    const operator = await app.operator();
    const { createPlan } = await operator.request(CreatePlanDocument, {
      input: {
        code: 'Scale_Monthly',
        name: 'Scale',
        description: 'Unlimited calls, metered minutes',
        interval: 'MONTH',
        amount: 24900,
        currency: 'USD',
        trialDays: 7,
        limits: [
          { meter: 'calls', enforcement: 'SOFT' },
          { meter: 'call_minutes', included: 200000, enforcement: 'SOFT', overageUnitAmount: 1 },
        ],
        features: ['call_tracking', 'sso'],
      },
    });
    expect(createPlan).toMatchObject({ code: 'scale_monthly', active: true });

    const { plans } = await (await app.memberOf('biz_catalogue')).request(PlansDocument);
    const scale = plans.find((p) => p.code === 'scale_monthly');
    expect(scale).toMatchObject({
      name: 'Scale',
      trialDays: 7,
      price: { amount: 24900, currency: 'usd', formatted: '$249.00' },
      features: ['call_tracking', 'sso'],
    });
    expect(scale!.limits).toEqual([
      { meter: 'call_minutes', included: 200000, enforcement: 'SOFT', overageUnitPrice: { amount: 1, currency: 'usd' } },
      { meter: 'calls', included: null, enforcement: 'SOFT', overageUnitPrice: null },
    ]);
  });

  it('keeps zero-decimal currencies exact: a JPY plan of 5000 is ¥5,000', async () => {
    const operator = await app.operator();
    await operator.request(CreatePlanDocument, {
      input: { code: 'jp_basic', name: 'Basic JP', interval: 'MONTH', amount: 5000, currency: 'jpy' },
    });
    const { plans } = await operator.request(PlansDocument);
    expect(plans.find((p) => p.code === 'jp_basic')!.price).toEqual({ amount: 5000, currency: 'jpy', formatted: '¥5,000' });
  });

  it('archives a plan: it leaves the catalogue, archiving again answers the same, and its code is never reused', async () => {
    const operator = await app.operator();
    await operator.request(CreatePlanDocument, {
      input: { code: 'legacy_2025', name: 'Legacy', interval: 'YEAR', amount: 50000, currency: 'usd' },
    });

    const first = await operator.request(ArchivePlanDocument, { code: 'legacy_2025' });
    expect(first.archivePlan).toEqual({ code: 'legacy_2025', active: false });
    const again = await operator.request(ArchivePlanDocument, { code: 'LEGACY_2025' });
    expect(again.archivePlan).toEqual({ code: 'legacy_2025', active: false });

    const { plans } = await (await app.memberOf('biz_catalogue')).request(PlansDocument);
    expect(plans.map((p) => p.code)).not.toContain('legacy_2025');
  });
});

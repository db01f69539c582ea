import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchivePlanDocument, CreatePlanDocument, PlansDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectGraphQLError } from '../support/errors.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const input = { code: 'sneaky', name: 'Sneaky', interval: 'MONTH' as const, amount: 1, currency: 'usd' };

describe('plan catalogue: who may do what', () => {
  it.each(['member', 'admin', 'owner'] as const)('refuses createPlan and archivePlan from a %s with FORBIDDEN', async (role) => {
    const client = app.client(await app.token({ businessId: 'biz_1', role }));
    await expectGraphQLError(client.request(CreatePlanDocument, { input }), 'FORBIDDEN');
    await expectGraphQLError(client.request(ArchivePlanDocument, { code: 'free' }), 'FORBIDDEN');
    const { plans } = await client.request(PlansDocument);
    expect(plans.find((p) => p.code === 'free')!.active).toBe(true);
    expect(plans.map((p) => p.code)).not.toContain('sneaky');
  });

  it('refuses the call-tracking service (usage:write) everything here, reads included', async () => {
    const service = app.client(await app.token({ sub: 'call-tracker', scopes: ['usage:write'] }));
    await expectGraphQLError(service.request(PlansDocument), 'FORBIDDEN');
    await expectGraphQLError(service.request(CreatePlanDocument, { input }), 'FORBIDDEN');
  });

  it('refuses every operation without a token with UNAUTHENTICATED', async () => {
    const anonymous = app.client();
    await expectGraphQLError(anonymous.request(PlansDocument), 'UNAUTHENTICATED');
    await expectGraphQLError(anonymous.request(CreatePlanDocument, { input }), 'UNAUTHENTICATED');
  });

  it('shows archived plans only to operators who ask', async () => {
    const operator = await app.operator();
    await operator.request(CreatePlanDocument, { input: { ...input, code: 'old_plan' } });
    await operator.request(ArchivePlanDocument, { code: 'old_plan' });
    const query = 'query { plans(includeArchived: true) { code active } }';
    const forOperator = await operator.request<{ plans: { code: string; active: boolean }[] }>(query);
    expect(forOperator.plans).toContainEqual({ code: 'old_plan', active: false });
    const forMember = await (await app.memberOf('biz_1')).request<{ plans: { code: string }[] }>(query);
    expect(forMember.plans.map((p) => p.code)).not.toContain('old_plan');
  });
});

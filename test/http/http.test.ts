import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('HTTP surface', () => {
  it('answers /healthz while the process is up and /readyz once the database is reachable and migrated', async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${app.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('reports not ready when a migration is missing', async () => {
    const handle = app.database.connect();
    await handle.sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`;
    await handle.close();
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'migrations not applied' });
  });

  it('serves Apollo Sandbox to a browser on GET /graphql', async () => {
    const page = await fetch(`${app.graphqlUrl}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('embeddable-sandbox');
  });

  it('answers a body that is not JSON with 400, one that is too large with 413, and keeps serving', async () => {
    const authorization = `Bearer ${await app.token({ businessId: 'b', role: 'member' })}`;
    const post = (body: string, contentType = 'application/json') => fetch(app.graphqlUrl, { method: 'POST', headers: { 'content-type': contentType, authorization }, body });
    const broken = await post('{"query": "{ plans { code } }"');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    const huge = await post(JSON.stringify({ query: '{ plans { code } }', variables: { padding: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    // A simple (CSRF-able) request is refused by Apollo's CSRF prevention, not executed.
    const simple = await post('query={plans{code}}', 'text/plain');
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    const fine = await post(JSON.stringify({ query: '{ plans { code } }' }));
    expect(fine.status).toBe(200);
    expect(((await fine.json()) as { data: { plans: unknown[] } }).data.plans.length).toBeGreaterThan(0);
  });

  it('answers a malformed query with BAD_USER_INPUT and no stack trace', async () => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await app.token({ businessId: 'b', role: 'member' })}` },
      body: JSON.stringify({ query: '{ plans { code nonsenseField } }' }),
    });
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/i);
  });

  it('hides internal errors behind INTERNAL_SERVER_ERROR without SQL or stack', async () => {
    const handle = app.database.connect();
    await handle.sql`alter table plan_limits rename to plan_limits_gone`;
    try {
      const response = await fetch(app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await app.token({ businessId: 'b', role: 'member' })}` },
        body: JSON.stringify({ query: '{ plans { code limits { meter } } }' }),
      });
      const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(body)).not.toMatch(/plan_limits|select|stacktrace/i);
    } finally {
      await handle.sql`alter table plan_limits_gone rename to plan_limits`;
      await handle.close();
    }
  });
});

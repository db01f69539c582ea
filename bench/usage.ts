/**
 * `npm run bench:usage`: the usage engine's speed through the API, against the floor of the same
 * writes issued straight through postgres.js. Settings (environment): BENCH_SECONDS (default 30, per
 * scenario), BENCH_CONNECTIONS (default 50), BENCH_BATCH_CONNECTIONS (default 4),
 * BENCH_CHECK_RATE (default 2000 req/s), DATABASE_URL (default: a throw-away embedded PostgreSQL).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { signToken } from '../src/auth/tokens.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../src/db/databases.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { createLogger } from '../src/log/logger.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 4);
const BATCH_SIZE = 500;
const CHECK_RATE = Number(process.env.BENCH_CHECK_RATE ?? 2000);
const SECRET = 'bench-secret-that-is-at-least-32-characters-long';
const log = createLogger('warn');

interface Figure {
  perSecond: number;
  p50: number;
  p99: number;
}

async function main() {
  // A fresh database: embedded unless DATABASE_URL names a server.
  const dataDir = await mkdtemp(join(tmpdir(), 'billing-bench-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres", which must enter it
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), log, persistent: false });
    adminUrl = server.urlFor('postgres');
    stopServer = () => server.stop();
  }
  const dbName = `billing_bench_${Date.now()}`;
  await ensureDatabase(adminUrl, dbName);
  const url = withDatabase(adminUrl, dbName);

  const child = fork(fileURLToPath(new URL('./server.js', import.meta.url)), [], {
    env: { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'error', BILLING_DATA_DIR: dataDir, NODE_ENV: 'production' },
  });
  const appUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url.replace('localhost', '127.0.0.1')));
    child.once('exit', (code) => reject(new Error(`the app exited with ${code}`)));
  });
  const graphql = `${appUrl}/graphql`;
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  try {
    const tokens = {
      operator: await signToken(SECRET, { subject: 'bench-operator', scopes: ['billing:admin'] }),
      owner: await signToken(SECRET, { subject: 'bench-owner', businessId: 'biz_bench', role: 'owner' }),
      floorOwner: await signToken(SECRET, { subject: 'bench-owner2', businessId: 'biz_floor', role: 'owner' }),
      writer: await signToken(SECRET, { subject: 'bench-writer', scopes: ['usage:write'] }),
    };
    const call = async (token: string, query: string, variables: object = {}) => {
      const res = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body;
    };
    // A SOFT plan with a large allowance: every event is admitted, the counter row is still locked.
    await call(tokens.operator, `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`, {
      input: { code: 'bench', name: 'Bench', interval: 'MONTH', amount: 0, currency: 'usd', limits: [{ meter: 'calls', included: 2_000_000_000, enforcement: 'SOFT', overageUnitAmount: 1 }] },
    });
    for (const token of [tokens.owner, tokens.floorOwner]) await call(token, `mutation { subscribe(input: { planCode: "bench" }) { id } }`);
    const eventsOf = async (businessId: string) => Number((await sql`select count(*)::int as n from usage_events where business_id = ${businessId}`)[0]!.n);

    const cannon = (opts: Omit<autocannon.Options, 'url'>) =>
      new Promise<autocannon.Result>((resolve, reject) => autocannon({ method: 'POST', duration: SECONDS, ...opts, url: graphql }, (err, result) => (err ? reject(err) : resolve(result))));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` };

    // 1. Single-event recordUsage.
    let before = await eventsOf('biz_bench');
    const single = await cannon({
      connections: CONNECTIONS,
      headers,
      idReplacement: true,
      body: JSON.stringify({
        query: 'mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted duplicate reason } }',
        variables: { input: { businessId: 'biz_bench', meter: 'calls', quantity: 1, idempotencyKey: 'single-[<id>]' } },
      }),
    });
    const singleEvents = (await eventsOf('biz_bench')) - before;
    const api1: Figure = { perSecond: singleEvents / SECONDS, p50: single.latency.p50, p99: single.latency.p99 };
    report('recordUsage (1 event a call)', api1, single);

    // 2. recordUsageBatch, 500 events a call.
    before = await eventsOf('biz_bench');
    const batchBody = JSON.stringify({
      query: 'mutation($events: [RecordUsageInput!]!) { recordUsageBatch(events: $events) { accepted duplicates } }',
      variables: { events: Array.from({ length: BATCH_SIZE }, (_, i) => ({ businessId: 'biz_bench', meter: 'calls', quantity: 1, idempotencyKey: `batch-[<id>]-${i}` })) },
    });
    const batch = await cannon({ connections: BATCH_CONNECTIONS, headers, idReplacement: true, body: batchBody });
    const batchEvents = (await eventsOf('biz_bench')) - before;
    const apiBatch: Figure = { perSecond: batchEvents / SECONDS, p50: batch.latency.p50, p99: batch.latency.p99 };
    report(`recordUsageBatch (${BATCH_SIZE} events a call)`, apiBatch, batch);

    // 3. checkUsage at a fixed rate.
    const check = await cannon({
      connections: CONNECTIONS,
      overallRate: CHECK_RATE,
      headers,
      body: JSON.stringify({ query: 'query { checkUsage(businessId: "biz_bench", meter: "calls", quantity: 1) { allowed remaining reason } }' }),
    });
    report(`checkUsage (offered ${CHECK_RATE} req/s)`, { perSecond: check.requests.average, p50: check.latency.p50, p99: check.latency.p99 }, check);

    // 4. The floor: the same event insert + counter update straight through postgres.js.
    const [sub] = await sql<{ id: string; ps: string }[]>`select id, current_period_start::text as ps from subscriptions where business_id = 'biz_floor'`;
    const floor1 = await floor(CONNECTIONS, async () => {
      await sql.begin(async (tx) => {
        const inserted = await tx`
          insert into usage_events (business_id, subscription_id, meter, quantity, idempotency_key, occurred_at, recorded_at, period_start)
          values ('biz_floor', ${sub!.id}, 'calls', 1, ${randomUUID()}, now(), now(), ${sub!.ps}::timestamptz)
          on conflict (business_id, idempotency_key) do nothing returning id`;
        if (inserted.length === 1) {
          await tx`
            insert into usage_counters (subscription_id, meter, period_start, used) values (${sub!.id}, 'calls', ${sub!.ps}::timestamptz, 1)
            on conflict (subscription_id, meter, period_start) do update set used = usage_counters.used + 1
            where usage_counters.used + 1 <= 2000000000`;
        }
      });
      return 1;
    });
    report('floor: 1 transaction per event (postgres.js)', floor1);
    const floorBatch = await floor(BATCH_CONNECTIONS, async () => {
      const keys = Array.from({ length: BATCH_SIZE }, () => randomUUID());
      await sql.begin(async (tx) => {
        const inserted = await tx`
          insert into usage_events (business_id, subscription_id, meter, quantity, idempotency_key, occurred_at, recorded_at, period_start)
          select 'biz_floor', ${sub!.id}, 'calls', 1, k, now(), now(), ${sub!.ps}::timestamptz from unnest(${keys}::text[]) as k
          on conflict (business_id, idempotency_key) do nothing returning id`;
        await tx`
          insert into usage_counters (subscription_id, meter, period_start, used) values (${sub!.id}, 'calls', ${sub!.ps}::timestamptz, ${inserted.length})
          on conflict (subscription_id, meter, period_start) do update set used = usage_counters.used + ${inserted.length}
          where usage_counters.used + ${inserted.length} <= 2000000000`;
      });
      return BATCH_SIZE;
    });
    report(`floor: ${BATCH_SIZE} events a transaction (postgres.js)`, floorBatch);

    console.log('\nRatios (API / floor):');
    console.log(`  recordUsage events/s / floor 1-per-transaction: ${(api1.perSecond / floor1.perSecond).toFixed(2)}  (target >= 1, p99 ${api1.p99} ms, target < 50)`);
    console.log(`  recordUsageBatch events/s / floor batched:       ${(apiBatch.perSecond / floorBatch.perSecond).toFixed(2)}  (target >= 0.7)`);
    console.log(`  checkUsage p99 at ${CHECK_RATE} req/s: ${check.latency.p99} ms (target < 10)`);
    console.log(`\nMachine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free); ${SECONDS}s per scenario, ${CONNECTIONS} connections (${BATCH_CONNECTIONS} for batches).`);
  } finally {
    await sql.end();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    await dropDatabase(adminUrl, dbName).catch(() => {});
    await stopServer();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs `op` from `concurrency` workers for SECONDS; answers events/s and per-transaction latency. */
async function floor(concurrency: number, op: () => Promise<number>): Promise<Figure> {
  const latencies: number[] = [];
  let events = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const t = performance.now();
        events += await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return { perSecond: events / SECONDS, p50: at(0.5), p99: at(0.99) };
}

function report(name: string, f: Figure, raw?: autocannon.Result) {
  const extra = raw ? `  [${raw.requests.total} requests, ${raw.non2xx} non-2xx, ${raw.errors} errors, ${raw.timeouts} timeouts]` : '';
  console.log(`${name.padEnd(48)} ${f.perSecond.toFixed(0).padStart(8)} /s   p50 ${String(f.p50).padStart(6)} ms   p99 ${String(f.p99).padStart(6)} ms${extra}`);
}

await main();

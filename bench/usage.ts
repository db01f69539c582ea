/**
 * `npm run bench:usage`: the usage engine's speed through the API, against the floor of the same
 * writes issued straight through postgres.js, on the same workload: events for BENCH_BUSINESSES
 * businesses (default 50), each on a SOFT plan with a large allowance (every event is admitted; its
 * counter row is still locked by every recording transaction), each event for a random business.
 *
 * Settings (environment): BENCH_SECONDS (default 30, per scenario), BENCH_WARMUP_SECONDS (default 5,
 * unmeasured, before each scenario), BENCH_CONNECTIONS (default 50),
 * BENCH_BATCH_CONNECTIONS (default 4), BENCH_CHECK_RATE (default 2000 req/s), BENCH_BUSINESSES
 * (default 50), BENCH_SCENARIOS (default all: a comma list of single, batch, check, stack, floor),
 * BENCH_TRACE (a file: each check's due time and latency in ms, one per line, for finding stalls),
 * DATABASE_URL (default: a throw-away embedded PostgreSQL).
 * `node --cpu-prof dist/bench/usage.js` also profiles the API process (it inherits the flag).
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
import { quantilesOf } from './measure.js';
import { Connections, httpPost, pacedLoad } from './paced.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** Unmeasured load before each scenario: JIT, connection pools and sockets warm up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 4);
const BATCH_SIZE = 500;
const CHECK_RATE = Number(process.env.BENCH_CHECK_RATE ?? 2000);
/** Keep-alive connections the paced checks may use: enough that none waits for a free one. */
const CHECK_CONNECTIONS = 64;
const BUSINESSES = Number(process.env.BENCH_BUSINESSES ?? 50);
const SCENARIOS = new Set((process.env.BENCH_SCENARIOS ?? 'single,batch,check,stack,floor').split(',').map((s) => s.trim()));
const SECRET = 'bench-secret-that-is-at-least-32-characters-long';
const ALLOWANCE = 2_000_000_000;
const log = createLogger('warn');

interface ApiStats {
  cpuMicros: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** What the API process did during a measured run: its share of one core, and its event loop's worst delays. */
interface ApiLoad {
  cpu: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const apiLoadOf = (before: ApiStats, after: ApiStats, seconds: number): ApiLoad => ({
  cpu: (after.cpuMicros - before.cpuMicros) / 1e6 / seconds,
  loopDelayP99Ms: after.loopDelayP99Ms,
  loopDelayMaxMs: after.loopDelayMaxMs,
});

interface Figure {
  perSecond: number;
  p50: number;
  p99: number;
}

const apiBusinesses = Array.from({ length: BUSINESSES }, (_, i) => `biz_bench_${i}`);
const floorBusinesses = Array.from({ length: BUSINESSES }, (_, i) => `biz_floor_${i}`);
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

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
  /** The API process's CPU seconds so far, and its event loop's delay since the last call. */
  const apiStats = () =>
    new Promise<ApiStats>((resolve) => {
      child.once('message', (m) => resolve(m as ApiStats));
      child.send('stats');
    });
  const graphql = `${appUrl}/graphql`;
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  try {
    const operator = await signToken(SECRET, { subject: 'bench-operator', scopes: ['billing:admin'] });
    const writer = await signToken(SECRET, { subject: 'bench-writer', scopes: ['usage:write'] });
    const call = async (token: string, query: string, variables: object = {}) => {
      const res = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body;
    };
    await call(operator, `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`, {
      input: { code: 'bench', name: 'Bench', interval: 'MONTH', amount: 0, currency: 'usd', limits: [{ meter: 'calls', included: ALLOWANCE, enforcement: 'SOFT', overageUnitAmount: 1 }] },
    });
    for (const businessId of [...apiBusinesses, ...floorBusinesses]) {
      const owner = await signToken(SECRET, { subject: `owner-${businessId}`, businessId, role: 'owner' });
      await call(owner, `mutation { subscribe(input: { planCode: "bench" }) { id } }`);
    }
    const eventsOf = async (businessIds: string[]) => Number((await sql`select count(*)::int as n from usage_events where business_id = any(${businessIds}::text[])`)[0]!.n);

    /**
     * Drives the API from `connections` connections for SECONDS (after a warm-up), each request a
     * fresh body; answers autocannon's result, what the API process did, and the events stored.
     */
    const cannon = async (connections: number, body: () => unknown) => {
      await settle();
      const run = (duration: number) =>
        new Promise<autocannon.Result>((resolve, reject) =>
          autocannon(
            {
              url: graphql,
              method: 'POST',
              duration,
              connections,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
              requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) }],
            },
            (err, r) => (err ? reject(err) : resolve(r)),
          ),
        );
      if (WARMUP_SECONDS > 0) await run(WARMUP_SECONDS);
      const before = await eventsOf(apiBusinesses);
      const statsBefore = await apiStats();
      const result = await run(SECONDS);
      const api = apiLoadOf(statsBefore, await apiStats(), SECONDS);
      return { result, api, events: (await eventsOf(apiBusinesses)) - before };
    };
    const figures: Record<string, Figure> = {};
    /** Before each scenario: the last one's dead rows vacuumed and its dirty pages written, so its aftermath does not land on the next. */
    const settle = async () => {
      await sql`vacuum (analyze) usage_events, usage_counters, subscriptions`;
      await sql`checkpoint`.catch(() => {}); // needs pg_checkpoint or superuser on a shared server
    };

    if (SCENARIOS.has('single')) {
      const { result, api, events } = await cannon(CONNECTIONS, () => ({
        query: 'mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted duplicate reason } }',
        variables: { input: { businessId: pick(apiBusinesses), meter: 'calls', quantity: 1, idempotencyKey: randomUUID() } },
      }));
      figures.single = { perSecond: events / SECONDS, p50: result.latency.p50, p99: result.latency.p99 };
      report('recordUsage (1 event a call)', figures.single, autocannonDetails(result), api);
    }

    if (SCENARIOS.has('batch')) {
      const { result, api, events } = await cannon(BATCH_CONNECTIONS, () => ({
        query: 'mutation($events: [RecordUsageInput!]!) { recordUsageBatch(events: $events) { accepted duplicates } }',
        variables: { events: Array.from({ length: BATCH_SIZE }, () => ({ businessId: pick(apiBusinesses), meter: 'calls', quantity: 1, idempotencyKey: randomUUID() })) },
      }));
      figures.batch = { perSecond: events / SECONDS, p50: result.latency.p50, p99: result.latency.p99 };
      report(`recordUsageBatch (${BATCH_SIZE} events a call)`, figures.batch, autocannonDetails(result), api);
    }

    /** An evenly paced open loop of `bodies` (one picked at random each time) at CHECK_RATE, after a warm-up. */
    const paced = async (name: string, bodies: string[]) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${writer}` };
      const requests = bodies.map((body) => httpPost(graphql, headers, body));
      const connections = await Connections.open(graphql, CHECK_CONNECTIONS);
      const load = (seconds: number) => pacedLoad({ connections, requests, rate: CHECK_RATE, seconds });
      await settle();
      if (WARMUP_SECONDS > 0) await load(WARMUP_SECONDS);
      const statsBefore = await apiStats();
      const result = await load(SECONDS);
      const api = apiLoadOf(statsBefore, await apiStats(), SECONDS);
      connections.close();
      const figure = { perSecond: result.perSecond, p50: result.latency.p50, p99: result.latency.p99 };
      const details = `p90 ${result.latency.p90} ms, max ${result.latency.max} ms; ${result.sent} sent, ${result.failed} failed; load generator's event loop delay p99 ${result.generatorDelay.p99.toFixed(1)} ms, max ${result.generatorDelay.max.toFixed(1)} ms`;
      report(`${name} (${CHECK_RATE} req/s, evenly paced)`, figure, details, api);
      return figure;
    };

    if (SCENARIOS.has('check')) {
      // The contract's CheckUsage operation, word for word, for a random business each time.
      const query = `query CheckUsage($businessId: ID!, $meter: String!, $quantity: Int) {
  checkUsage(businessId: $businessId, meter: $meter, quantity: $quantity) {
    allowed
    remaining
    reason
  }
}`;
      figures.check = await paced(
        'checkUsage',
        apiBusinesses.map((businessId) => JSON.stringify({ operationName: 'CheckUsage', query, variables: { businessId, meter: 'calls', quantity: 1 } })),
      );
    }

    if (SCENARIOS.has('stack')) {
      // The same requests' path without a resolver: HTTP, token, Apollo and graphql-js answering
      // __typename. What a check costs beyond this is the check itself.
      figures.stack = await paced('stack only ({ __typename })', [JSON.stringify({ query: 'query CheckUsage { __typename }' })]);
    }

    if (SCENARIOS.has('floor')) {
      // The same event insert and counter update, straight through postgres.js, with the API stopped.
      const subs = await sql<{ id: string; business_id: string; ps: string }[]>`
        select id, business_id, current_period_start::text as ps from subscriptions where business_id = any(${floorBusinesses}::text[])`;
      const floor1 = async () => {
        const sub = pick(subs);
        await sql.begin(async (tx) => {
          const inserted = await tx`
            insert into usage_events (business_id, subscription_id, meter, quantity, idempotency_key, occurred_at, recorded_at, period_start)
            values (${sub.business_id}, ${sub.id}, 'calls', 1, ${randomUUID()}, now(), now(), ${sub.ps}::timestamptz)
            on conflict (business_id, idempotency_key) do nothing returning id`;
          if (inserted.length === 1) {
            await tx`
              insert into usage_counters (subscription_id, meter, period_start, used) values (${sub.id}, 'calls', ${sub.ps}::timestamptz, 1)
              on conflict (subscription_id, meter, period_start) do update set used = usage_counters.used + 1
              where usage_counters.used + 1 <= ${ALLOWANCE}`;
          }
        });
        return 1;
      };
      await settle();
      await floor(CONNECTIONS, floor1, WARMUP_SECONDS);
      figures.floor1 = await floor(CONNECTIONS, floor1);
      report('floor: 1 transaction per event (postgres.js)', figures.floor1);
      const floorBatch = async () => {
        const events = Array.from({ length: BATCH_SIZE }, () => pick(subs));
        await sql.begin(async (tx) => {
          const inserted = await tx<{ subscription_id: string }[]>`
            insert into usage_events (business_id, subscription_id, meter, quantity, idempotency_key, occurred_at, recorded_at, period_start)
            select b, s, 'calls', 1, k, now(), now(), p
            from unnest(${events.map((e) => e.business_id)}::text[], ${events.map((e) => e.id)}::uuid[], ${events.map(() => randomUUID())}::text[],
                        ${events.map((e) => e.ps)}::timestamptz[]) as u(b, s, k, p)
            on conflict (business_id, idempotency_key) do nothing returning subscription_id`;
          const deltas = new Map<string, number>();
          for (const r of inserted) deltas.set(r.subscription_id, (deltas.get(r.subscription_id) ?? 0) + 1);
          const ids = [...deltas.keys()].sort();
          await tx`
            update usage_counters c set used = c.used + d.delta
            from unnest(${ids}::uuid[], ${ids.map((id) => deltas.get(id)!)}::bigint[]) as d(s, delta)
            where c.subscription_id = d.s and c.meter = 'calls' and c.used + d.delta <= ${ALLOWANCE}
              and c.period_start = (select current_period_start from subscriptions where id = d.s)`;
        });
        return BATCH_SIZE;
      };
      await settle();
      await floor(BATCH_CONNECTIONS, floorBatch, WARMUP_SECONDS);
      figures.floorBatch = await floor(BATCH_CONNECTIONS, floorBatch);
      report(`floor: ${BATCH_SIZE} events a transaction (postgres.js)`, figures.floorBatch);
    }

    const { single, batch, check, stack, floor1, floorBatch } = figures;
    console.log('\nTargets:');
    if (single && floor1) console.log(`  recordUsage events/s / floor 1-per-transaction: ${(single.perSecond / floor1.perSecond).toFixed(2)} (target >= 1); p99 ${single.p99} ms (target < 50)`);
    if (batch && floorBatch) console.log(`  recordUsageBatch events/s / floor batched:      ${(batch.perSecond / floorBatch.perSecond).toFixed(2)} (target >= 0.7)`);
    if (check) {
      const beside = stack ? `; the stack alone, with no resolver: p99 ${stack.p99} ms` : '';
      console.log(`  checkUsage p99 at ${CHECK_RATE} req/s:            ${check.p99} ms (target < 10)${beside}`);
    }
    console.log(
      `\nMachine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free); ` +
        `${SECONDS} s per scenario, ${CONNECTIONS} connections (${BATCH_CONNECTIONS} for batches), ${BUSINESSES} businesses.`,
    );
  } finally {
    await sql.end();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    await dropDatabase(adminUrl, dbName).catch(() => {});
    await stopServer();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs `op` from `concurrency` workers for `seconds`; answers events/s and per-transaction latency. */
async function floor(concurrency: number, op: () => Promise<number>, seconds = SECONDS): Promise<Figure> {
  const latencies: number[] = [];
  let events = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        const done = await op(); // not `events += await op()`: that reads `events` before the await and loses other workers' counts
        events += done;
        latencies.push(performance.now() - started);
      }
    }),
  );
  const at = quantilesOf(latencies);
  return { perSecond: events / seconds, p50: at(0.5), p99: at(0.99) };
}

function report(name: string, f: Figure, details?: string, api?: ApiLoad) {
  console.log(`${name.padEnd(48)} ${f.perSecond.toFixed(0).padStart(8)} /s   p50 ${String(f.p50).padStart(6)} ms   p99 ${String(f.p99).padStart(6)} ms`);
  const apiNote = api
    ? `API process: ${Math.round(api.cpu * 100)}% of a core, event loop delay p99 ${api.loopDelayP99Ms.toFixed(1)} ms, max ${api.loopDelayMaxMs.toFixed(1)} ms`
    : undefined;
  for (const line of [details, apiNote]) if (line) console.log(`    ${line}`);
}

const autocannonDetails = (r: autocannon.Result) =>
  `p90 ${r.latency.p90} ms, p97.5 ${r.latency.p97_5} ms, max ${r.latency.max} ms; ${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`;

await main();

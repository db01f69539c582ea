import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/db/paths.js';
import { CreatePlanDocument, PlansDocument } from '../generated/graphql.js';

const root = projectRoot();
let dataDir: string;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  graphqlUrl: string;
  ownerToken: string;
  output: () => string;
}

/** Starts the app as a newcomer does and waits for its ready banner. */
function start(command: string, args: string[]): Promise<Started> {
  // Its own process group, so that a signal reaches npm and the app together, as Ctrl-C in a terminal does.
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready banner in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Billing API ready: (http:\/\/localhost:\d+\/graphql)/.exec(output);
      const token = /Authorization: Bearer (\S+)/.exec(output);
      if (url && token) {
        clearTimeout(timer);
        resolve({ child, graphqlUrl: url[1]!, ownerToken: token[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output}`));
    });
  });
}

function ctrlC(child: ChildProcess): void {
  process.kill(-child.pid!, 'SIGINT');
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function postgresPid(): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  return Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'billing-start-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user, which must enter it
  env = { ...process.env, BILLING_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development' };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
    delete env[name];
  }
});
afterAll(async () => {
  // Whatever a failed test left running: the apps, then their PostgreSQL.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  const pid = await postgresPid();
  if (pid && alive(pid)) process.kill(pid, 'SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start on a fresh machine', { timeout: 240_000 }, () => {
  it('builds, starts an embedded PostgreSQL off port 5432, seeds the catalogue and prints a working owner token', async () => {
    const app = await start('npm', ['start']);
    try {
      const started = app.output().split('\n').find((line) => line.includes('embedded PostgreSQL started'));
      expect(JSON.parse(started!).port).not.toBe(5432);
      expect(app.output()).toContain('seeded the default plan catalogue');

      const owner = new GraphQLClient(app.graphqlUrl, { headers: { authorization: `Bearer ${app.ownerToken}` } });
      const { plans } = await owner.request(PlansDocument);
      expect(plans.map((p) => p.code)).toEqual(['free', 'starter_monthly', 'growth_monthly', 'growth_yearly']);

      const { stdout } = await promisify(execFile)('node', ['dist/src/cli/token.js', '--scope', 'billing:admin', '--sub', 'ops_1'], { cwd: root, env });
      const operator = new GraphQLClient(app.graphqlUrl, { headers: { authorization: `Bearer ${stdout.trim()}` } });
      await operator.request(CreatePlanDocument, {
        input: { code: 'kept_across_restarts', name: 'Kept', interval: 'MONTH', amount: 100, currency: 'usd' },
      });
    } finally {
      ctrlC(app.child);
    }
    await exitOf(app.child); // npm itself ends by the signal; the app must have stopped cleanly
    expect(app.output()).toContain('embedded PostgreSQL stopped');
    expect(await postgresPid()).toBeUndefined();
  });

  it('a second start reuses the data: no new seed, the operator\'s plan is still there, the old token still works', async () => {
    const app = await start('node', ['dist/src/main.js']);
    try {
      expect(app.output()).not.toContain('seeded the default plan catalogue');
      const owner = new GraphQLClient(app.graphqlUrl, { headers: { authorization: `Bearer ${app.ownerToken}` } });
      const { plans } = await owner.request(PlansDocument);
      expect(plans.map((p) => p.code)).toContain('kept_across_restarts');
    } finally {
      ctrlC(app.child);
    }
    expect(await exitOf(app.child)).toBe(0);

    // The maintenance command runs against the same data while the app is stopped.
    const { stdout } = await promisify(execFile)('node', ['dist/src/cli/usage-recompute.js'], { cwd: root, env });
    expect(stdout).toContain('usage counters match the events');
  });

  it('recovers after a run was killed: a stale lock file, and an orphaned PostgreSQL left running', async () => {
    await writeFile(join(dataDir, 'postgres', 'postmaster.pid'), '999999\n');
    const afterStaleLock = await start('node', ['dist/src/main.js']);
    expect(afterStaleLock.output()).toContain('removing stale postmaster.pid');
    const orphan = await postgresPid();
    afterStaleLock.child.kill('SIGKILL');
    await exitOf(afterStaleLock.child);
    expect(alive(orphan!)).toBe(true);

    const afterKill = await start('node', ['dist/src/main.js']);
    try {
      expect(afterKill.output()).toContain('stopping the embedded PostgreSQL left running');
      const owner = new GraphQLClient(afterKill.graphqlUrl, { headers: { authorization: `Bearer ${afterKill.ownerToken}` } });
      expect((await owner.request(PlansDocument)).plans.length).toBe(5);
    } finally {
      ctrlC(afterKill.child);
    }
    expect(await exitOf(afterKill.child)).toBe(0);
    expect(alive(orphan!)).toBe(false);
  });
});

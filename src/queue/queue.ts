import PgBoss from 'pg-boss';
import type postgres from 'postgres';
import type { Logger } from '../log/logger.js';

export interface JobOptions {
  retryLimit?: number;
  retryDelay?: number;
  singletonKey?: string;
}

/** Named background jobs on PostgreSQL (pg-boss), shared by every app instance on the database. */
export interface Queue {
  /** Enqueue; pass `tx` (a postgres.js transaction) to enqueue atomically with the caller's writes. */
  send(name: string, data: object, options?: JobOptions & { tx?: postgres.TransactionSql }): Promise<void>;
  /** Runs `handler` for each job, up to `concurrency` at once in this instance. */
  work<T extends object>(name: string, handler: (data: T) => Promise<void>, options?: { concurrency?: number }): Promise<void>;
  /** Enqueue `name` on a cron schedule; pg-boss runs each tick once across all instances. */
  schedule(name: string, cron: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Adapts a postgres.js transaction to pg-boss's `db` option, so a job commits with the transaction.
 * pg-boss expects node-postgres's parameter handling (objects as JSON, dates as timestamps); the
 * drizzle-configured client passes those through unserialised, so they are turned into text here.
 */
function bossDb(tx: postgres.TransactionSql) {
  const asText = (value: unknown) =>
    value === undefined ? null : value instanceof Date ? value.toISOString() : value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
  return {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: await tx.unsafe(text, values.map(asText) as postgres.ParameterOrJSON<never>[]),
    }),
  };
}

export async function startQueue(databaseUrl: string, log: Logger, options: { pollingIntervalSeconds?: number } = {}): Promise<Queue> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 4, application_name: 'billing-api-queue' });
  boss.on('error', (error: unknown) => log.error({ err: error, component: 'queue' }, 'queue error'));
  await boss.start();
  const created = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (created.has(name)) return;
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, retryLimit: 8, retryDelay: 1, retryBackoff: true });
    created.add(name);
  };
  return {
    send: async (name, data, { tx, ...jobOptions } = {}) => {
      await ensureQueue(name);
      await boss.send(name, data, { ...jobOptions, ...(tx ? { db: bossDb(tx) } : {}) });
    },
    work: async (name, handler, { concurrency = 4 } = {}) => {
      await ensureQueue(name);
      // pg-boss runs one fetch loop per work() call: several loops give concurrency.
      for (let i = 0; i < concurrency; i++) {
        await boss.work(name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (jobs) => {
          for (const job of jobs) await handler(job.data as never);
        });
      }
    },
    schedule: async (name, cron) => {
      await ensureQueue(name);
      await boss.schedule(name, cron, {}, { tz: 'UTC', singletonKey: name });
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

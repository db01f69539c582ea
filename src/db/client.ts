import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle: data access functions take `Db` so they run inside one or on the pool. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Db = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number; name?: string; onQuery?: (query: string) => void } = {}): DatabaseHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.name ?? 'billing-api' },
  });
  const db = drizzle(sql, {
    schema,
    logger: options.onQuery ? { logQuery: (query) => options.onQuery!(query) } : false,
  });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** The usage hot path's own pools (connectUsagePools). */
export interface UsagePools {
  /** checkUsage's reads (one at a time, shared by the checks waiting for it), and plan limits on first use. */
  checks: postgres.Sql;
  /** Recording transactions: at most 2 of coalesced single events at a time, plus batches. */
  recording: postgres.Sql;
  close(): Promise<void>;
}

/**
 * Pools of their own for the usage hot path, apart from the main pool. The call-tracking service
 * checks and records usage on every call: neither may wait behind billing transactions that hold
 * every main connection (an invoice collection waiting on Stripe, say), nor crowd them out.
 */
export function connectUsagePools(url: string): UsagePools {
  // Configured as the main pool is (through drizzle), so values go in and come out the same way.
  const checks = connectDatabase(url, { max: 2, name: 'billing-api-usage-checks' });
  const recording = connectDatabase(url, { max: 4, name: 'billing-api-usage-recording' });
  return {
    checks: checks.sql,
    recording: recording.sql,
    close: async () => {
      await Promise.all([checks.close(), recording.close()]);
    },
  };
}

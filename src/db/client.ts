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

export function connectDatabase(url: string, options: { max?: number; onQuery?: (query: string) => void } = {}): DatabaseHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: 'billing-api' },
  });
  const db = drizzle(sql, {
    schema,
    logger: options.onQuery ? { logQuery: (query) => options.onQuery!(query) } : false,
  });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A small pool of its own for usage admission checks (`checkUsage`): one read statement each, sent
 * by the call-tracking service before calls. Apart from the main pool, a check never waits behind
 * transactions holding every connection (an invoice collection waiting on Stripe, say).
 */
export function connectAdmissionPool(url: string): postgres.Sql {
  return postgres(url, { max: 2, onnotice: () => {}, connection: { application_name: 'billing-api-admission' } });
}

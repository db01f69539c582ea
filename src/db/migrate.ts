import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import type { Database } from './client.js';
import { migrationsFolder } from './paths.js';

/** Any fixed number: one advisory lock serialises migrations across app instances starting together. */
const MIGRATION_LOCK_KEY = 727_001;

export async function runMigrations(db: Database, sql: postgres.Sql): Promise<void> {
  const lockHolder = await sql.reserve();
  try {
    await lockHolder`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(db, { migrationsFolder: migrationsFolder() });
  } finally {
    await lockHolder`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    lockHolder.release();
  }
}

function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** True when every migration shipped with this build has been applied to the database. */
export async function migrationsApplied(sql: postgres.Sql): Promise<boolean> {
  const rows = await sql<{ count: number }[]>`
    select count(*)::int as count from drizzle.__drizzle_migrations`.catch(() => [{ count: -1 }]);
  return rows[0]!.count === expectedMigrationCount();
}

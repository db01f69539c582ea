import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../src/db/client.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/db/databases.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createLogger } from '../../src/log/logger.js';
import { seedCatalogueIfEmpty } from '../../src/plans/plans.seed.js';
import { startQueue } from '../../src/queue/queue.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
    runId: string;
  }
}

/**
 * One PostgreSQL server for the run (embedded, or TEST_DATABASE_URL) and one migrated, seeded
 * template database; every test file clones its own database from it.
 */
export default async function setup(project: TestProject) {
  const log = createLogger('warn');
  const runId = `r${process.pid}`;
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'billing-test-pg-'));
    const server = await startEmbeddedPostgres({ dataDir, log, persistent: false });
    adminUrl = server.urlFor('postgres');
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const templateDatabase = `billing_template_${runId}`;
  await dropDatabase(adminUrl, templateDatabase);
  await ensureDatabase(adminUrl, templateDatabase);
  const template = connectDatabase(withDatabase(adminUrl, templateDatabase), { max: 2 });
  await runMigrations(template.db, template.sql);
  await seedCatalogueIfEmpty(template.db, log);
  await template.close();
  // The job queue's schema too, so no test file pays for creating it.
  await (await startQueue(withDatabase(adminUrl, templateDatabase), log)).stop();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('runId', runId);

  return async () => {
    const { default: postgres } = await import('postgres');
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    const leftovers = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${`billing_%${runId}%`}`;
    await sql.end();
    for (const { datname } of leftovers) await dropDatabase(adminUrl, datname);
    await stopServer();
  };
}

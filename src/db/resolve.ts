import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { ensureDatabase } from './databases.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';

const EMBEDDED_DATABASE = 'billing';

/** DATABASE_URL, else the embedded server under BILLING_DATA_DIR (started here; the caller stops it). */
export async function resolveDatabaseUrl(config: Config, log: Logger): Promise<{ url: string; embedded?: EmbeddedServer }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres({ dataDir: resolve(config.dataDir, 'postgres'), log });
  await ensureDatabase(embedded.urlFor('postgres'), EMBEDDED_DATABASE);
  return { url: embedded.urlFor(EMBEDDED_DATABASE), embedded };
}

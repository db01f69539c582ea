import { ConfigError, loadConfig } from '../config/config.js';
import { connectDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { resolveDatabaseUrl } from '../db/resolve.js';
import { createLogger } from '../log/logger.js';
import { recomputeUsageCounters } from '../usage/usage.recompute.js';

/**
 * `npm run usage:recompute [-- --dry-run]`: rebuilds the usage counters from the usage events and
 * prints every counter that differed (fixed unless --dry-run). Exit code 0 when nothing differed,
 * 2 when something did. Uses DATABASE_URL, else the embedded server under BILLING_DATA_DIR (the app
 * must not be running on it then).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const dryRun = process.argv.includes('--dry-run');
  const { url, embedded } = await resolveDatabaseUrl(config, log);
  const database = connectDatabase(url, { max: 2 });
  try {
    // A database that never ran the app has no usage tables yet: bring it up to date first.
    await runMigrations(database.db, database.sql);
    const differences = await recomputeUsageCounters(database.sql, { dryRun });
    for (const d of differences) {
      console.log(
        `${dryRun ? 'differs' : 'fixed'}: subscription ${d.subscriptionId} ${d.meter} period ${d.periodStart.toISOString()}: counter ${d.stored}, events ${d.actual}`,
      );
    }
    console.log(differences.length === 0 ? 'usage counters match the events' : `${differences.length} counter(s) ${dryRun ? 'differ' : 'fixed'}`);
    return differences.length === 0 ? 0 : 2;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}

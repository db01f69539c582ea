import type { AddressInfo } from 'node:net';
import { persistentSecret } from './auth/sandbox-secret.js';
import { verifierOptions } from './auth/setup.js';
import { createTokenVerifier } from './auth/verifier.js';
import { BillingClock } from './clock/billing-clock.js';
import type { Clock } from './clock/clock.js';
import type { Config } from './config/config.js';
import { connectDatabase, connectUsagePools } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './log/logger.js';
import { connectStripe, type StripeConnection } from './payments/stripe-client.js';
import { seedCatalogueIfEmpty } from './plans/plans.seed.js';
import { startQueue, type Queue } from './queue/queue.js';
import { createServices, type Services } from './services.js';

export interface RunningApp {
  url: string;
  port: number;
  services: Services;
  stripe: StripeConnection;
  stop(): Promise<void>;
}

export interface AppOptions {
  databaseUrl: string;
  log: Logger;
  clock?: Clock;
  /** How often idle queue workers look for jobs (tests poll faster). */
  queuePollingSeconds?: number;
  /** Stripe SDK request timeout (tests shorten it to exercise timeouts). */
  stripeTimeoutMs?: number;
  /** Sees every SQL statement the services issue (tests count them). */
  onQuery?: (query: string) => void;
}

/**
 * Starts the service against a reachable database: migrations, seed, payments (Stripe or the
 * sandbox), the job queue and its workers, GraphQL and webhooks over HTTP. Used by `npm start` and by
 * the end-to-end tests, so both run the same server.
 */
export async function startApp(config: Config, options: AppOptions): Promise<RunningApp> {
  const { log } = options;
  const database = connectDatabase(options.databaseUrl, { onQuery: options.onQuery });
  const usagePools = connectUsagePools(options.databaseUrl);
  const cleanups: (() => Promise<void>)[] = [() => database.close(), () => usagePools.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await runMigrations(database.db, database.sql);
    await seedCatalogueIfEmpty(database.db, log);
    const stripe = await connectStripe(config, log, { timeoutMs: options.stripeTimeoutMs });
    cleanups.push(() => stripe.close());
    const queue: Queue = await startQueue(options.databaseUrl, log, { pollingIntervalSeconds: options.queuePollingSeconds });
    cleanups.push(() => queue.stop());
    const clock = await BillingClock.load(database.db, { sandbox: !config.stripe, log, base: options.clock });
    const services = createServices({
      config,
      db: database.db,
      sql: database.sql,
      usagePools,
      clock,
      log,
      stripe,
      queue,
      linkSigningSecret: config.linkSigningSecret ?? (await persistentSecret(config.dataDir, 'link-signing-secret')),
    });
    const verifyToken = createTokenVerifier(await verifierOptions(config));
    const schema = await buildGraphQLSchema();
    const { server, stopGraphQL } = await createHttpServer({ schema, services, verifyToken, sql: database.sql, log });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    cleanups.push(stopGraphQL);
    await services.webhooks.startWorker();
    await services.notifications.startWorker();
    await services.lifecycle.startWorker(queue, () => clock.now());
    const port = (server.address() as AddressInfo).port;
    const url = `http://localhost:${port}`;
    stripe.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/stripe`);
    log.info({ url: `${url}/graphql` }, 'billing API listening');
    return { url, port, services, stripe, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

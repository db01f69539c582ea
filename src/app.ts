import type { AddressInfo } from 'node:net';
import { verifierOptions } from './auth/setup.js';
import { createTokenVerifier } from './auth/verifier.js';
import { systemClock, type Clock } from './clock/clock.js';
import type { Config } from './config/config.js';
import { connectDatabase } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { buildGraphQLSchema } from './graphql/schema.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './log/logger.js';
import { seedCatalogueIfEmpty } from './plans/plans.seed.js';
import { createServices, type Services } from './services.js';

export interface RunningApp {
  url: string;
  port: number;
  services: Services;
  stop(): Promise<void>;
}

/**
 * Starts the service against a reachable database: migrations, seed, GraphQL over HTTP. Used by
 * `npm start` and by the end-to-end tests, so both run the same server.
 */
export async function startApp(config: Config, options: { databaseUrl: string; log: Logger; clock?: Clock }): Promise<RunningApp> {
  const { log } = options;
  const database = connectDatabase(options.databaseUrl);
  try {
    await runMigrations(database.db, database.sql);
    await seedCatalogueIfEmpty(database.db, log);
    const services = createServices({ config, db: database.db, clock: options.clock ?? systemClock, log });
    const verifyToken = createTokenVerifier(await verifierOptions(config));
    const schema = await buildGraphQLSchema();
    const { server, stopGraphQL } = await createHttpServer({ schema, services, verifyToken, sql: database.sql, log });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://localhost:${port}`;
    log.info({ url: `${url}/graphql` }, 'billing API listening');
    return {
      url,
      port,
      services,
      stop: async () => {
        await stopGraphQL();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

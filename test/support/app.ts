import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLClient } from 'graphql-request';
import { startApp, type AppOptions, type RunningApp } from '../../src/app.js';
import type { Role } from '../../src/auth/principal.js';
import { signToken } from '../../src/auth/tokens.js';
import { loadConfig, type Env } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TestApp extends RunningApp {
  database: TestDatabase;
  graphqlUrl: string;
  /** A graphql-request client with the given bearer token (or none). */
  client(token?: string): GraphQLClient;
  token(claims: { sub?: string; businessId?: string; role?: Role; scopes?: string[] }): Promise<string>;
  ownerOf(businessId: string): Promise<GraphQLClient>;
  memberOf(businessId: string): Promise<GraphQLClient>;
  operator(): Promise<GraphQLClient>;
  close(): Promise<void>;
}

/** The real HTTP server on a free port, against a fresh database of its own. */
export async function startTestApp(env: Partial<Env> = {}, appOptions: Partial<AppOptions> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'billing-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    BILLING_DATA_DIR: dataDir,
    ...env,
  } as Record<string, string>);
  const app = await startApp(config, {
    databaseUrl: database.url,
    log: createLogger(config.logLevel),
    queuePollingSeconds: 0.5,
    ...appOptions,
  });
  const graphqlUrl = `${app.url}/graphql`;
  const secret = config.auth.jwtSecret ?? TEST_JWT_SECRET;
  const token: TestApp['token'] = (claims) =>
    signToken(secret, {
      subject: claims.sub ?? 'user_test',
      businessId: claims.businessId,
      role: claims.role,
      scopes: claims.scopes,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    });
  const client = (bearer?: string) =>
    new GraphQLClient(graphqlUrl, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return {
    ...app,
    database,
    graphqlUrl,
    client,
    token,
    ownerOf: async (businessId) => client(await token({ sub: `owner_${businessId}`, businessId, role: 'owner' })),
    memberOf: async (businessId) => client(await token({ sub: `member_${businessId}`, businessId, role: 'member' })),
    operator: async () => client(await token({ sub: 'operator_1', scopes: ['billing:admin'] })),
    close: async () => {
      await app.stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

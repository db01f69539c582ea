import { startApp } from './app.js';
import { verifierOptions } from './auth/setup.js';
import { signToken } from './auth/tokens.js';
import { ensureBusiness } from './businesses/businesses.repo.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { resolveDatabaseUrl } from './db/resolve.js';
import { createLogger } from './log/logger.js';

export const DEMO_BUSINESS = { id: 'biz_demo', name: 'Demo Business' };

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const { url, embedded } = await resolveDatabaseUrl(config, log);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app?.stop().catch((error: unknown) => log.error({ err: error }, 'error while stopping the app'));
    await embedded?.stop().catch((error: unknown) => log.error({ err: error }, 'error while stopping PostgreSQL'));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    app = await startApp(config, { databaseUrl: url, log });
  } catch (error) {
    log.fatal({ err: error }, 'the billing API did not start');
    await embedded?.stop();
    process.exit(1);
  }

  const auth = await verifierOptions(config);
  const lines = [``, `  Billing API ready: ${app.url}/graphql  (open it in a browser for Apollo Sandbox)`];
  if (auth.sandboxSecret && auth.secret) {
    await ensureBusiness(app.services.db, DEMO_BUSINESS.id, DEMO_BUSINESS.name);
    const ownerToken = await signToken(auth.secret, {
      subject: 'user_demo_owner',
      businessId: DEMO_BUSINESS.id,
      role: 'owner',
      issuer: auth.issuer,
      audience: auth.audience,
      expiresIn: '30d',
    });
    lines.push(
      `  Demo business: ${DEMO_BUSINESS.id}. Owner token (Sandbox > Connection settings > Headers):`,
      `  Authorization: Bearer ${ownerToken}`,
      `  More tokens: npm run token -- --business ${DEMO_BUSINESS.id} --role admin|member [--scope "usage:write billing:admin"]`,
    );
  }
  lines.push(`  Payments: ${config.stripe ? 'Stripe' : 'sandbox (no STRIPE_SECRET_KEY)'}.  Ctrl-C stops.`, ``);
  process.stdout.write(lines.join('\n') + '\n');
}

await main();

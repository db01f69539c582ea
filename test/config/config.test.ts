import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration, validated once at start', () => {
  it('starts in sandbox mode with nothing set: port 4000, embedded database under .data, no Stripe keys', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, databaseUrl: undefined, dataDir: '.data', stripe: undefined });
    expect(config.auth).toEqual({ jwksUrl: undefined, jwtSecret: undefined, issuer: undefined, audience: undefined });
  });

  it('reads every setting of the contract', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/billing',
      BILLING_DATA_DIR: '/var/lib/billing',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      AUTH_JWKS_URL: 'https://signin.example.com/.well-known/jwks.json',
      AUTH_ISSUER: 'https://signin.example.com',
      AUTH_AUDIENCE: 'billing',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/billing',
      dataDir: '/var/lib/billing',
      stripe: { secretKey: 'sk_test_123', webhookSecret: 'whsec_abc' },
      auth: { jwksUrl: 'https://signin.example.com/.well-known/jwks.json', issuer: 'https://signin.example.com', audience: 'billing' },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ STRIPE_SECRET_KEY: 'pk_test_123', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, 'STRIPE_SECRET_KEY'],
    [{ STRIPE_SECRET_KEY: 'sk_test_123' }, 'STRIPE_WEBHOOK_SECRET'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ AUTH_JWKS_URL: 'ftp://keys' }, 'AUTH_JWKS_URL'],
    [{ NODE_ENV: 'production' }, 'AUTH_JWKS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %o with an error that names %s', (env, setting) => {
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(`${setting}:`);
  });

  it('never echoes a secret value in its error', () => {
    const problems = problemsOf({ STRIPE_SECRET_KEY: 'sk_live_supersecret' });
    expect(problems.join('\n')).not.toContain('supersecret');
  });
});

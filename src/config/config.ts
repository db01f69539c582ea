import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (protocols: string[]) =>
  optionalString.refine(
    (value) => value === undefined || protocols.some((p) => value.startsWith(`${p}:`)),
    { message: `must be a URL starting with ${protocols.map((p) => `${p}:`).join(' or ')}` },
  );

/** Every setting the service reads, each named as the environment variable that carries it. */
const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
    BILLING_DATA_DIR: z.string().default('.data'),
    STRIPE_SECRET_KEY: optionalString.refine((v) => v === undefined || /^(sk|rk)_(test|live)_/.test(v), {
      message: 'must start with sk_test_, sk_live_, rk_test_ or rk_live_',
    }),
    STRIPE_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || v.startsWith('whsec_'), {
      message: 'must start with whsec_',
    }),
    AUTH_JWKS_URL: optionalUrl(['http', 'https']),
    AUTH_JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters',
    }),
    AUTH_ISSUER: optionalString,
    AUTH_AUDIENCE: optionalString,
    LINK_SIGNING_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters',
    }),
    /** Usage notifications are emailed through this server when set (smtp:// or smtps://). */
    SMTP_URL: optionalUrl(['smtp', 'smtps']),
    MAIL_FROM: z.string().trim().min(1).default('billing@localhost'),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH_JWKS_URL && env.AUTH_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWT_SECRET'], message: 'set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both' });
    }
    if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY'],
        message: 'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: set both for live Stripe, or neither for sandbox mode',
      });
    }
    if (env.NODE_ENV === 'production' && !env.AUTH_JWKS_URL && !env.AUTH_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'production needs AUTH_JWKS_URL or AUTH_JWT_SECRET' });
    }
  });

export type Env = z.input<typeof configSchema>;

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  logLevel: string;
  /** Unset: an embedded PostgreSQL server under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  stripe: { secretKey: string; webhookSecret: string } | undefined;
  auth: {
    jwksUrl: string | undefined;
    /** Unset with no JWKS either: sandbox mode generates one and keeps it under dataDir. */
    jwtSecret: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
  };
  /** Signs short-lived links (invoice PDFs); unset: a generated secret kept under dataDir. */
  linkSigningSecret: string | undefined;
  /** Usage notification emails: sent only when smtpUrl is set. */
  mail: { smtpUrl: string | undefined; from: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once, at start. Nothing else in the service reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.BILLING_DATA_DIR,
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
        ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET }
        : undefined,
    auth: {
      jwksUrl: e.AUTH_JWKS_URL,
      jwtSecret: e.AUTH_JWT_SECRET,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
    },
    linkSigningSecret: e.LINK_SIGNING_SECRET,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
  };
}

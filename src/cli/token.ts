import { parseArgs } from 'node:util';
import { verifierOptions } from '../auth/setup.js';
import { ROLES, type Role } from '../auth/principal.js';
import { signToken } from '../auth/tokens.js';
import { ConfigError, loadConfig } from '../config/config.js';

const usage = `Usage: npm run token -- --business <id> --role owner|admin|member [--scope "usage:write billing:admin"]
       npm run token -- --scope billing:admin            (operator token, no business)
       npm run token -- --scope usage:write              (call-tracking service token)
Options: --sub <user id> (default user_cli), --expires <span> (default 12h, e.g. 30d)`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

/** Prints a token that the running app accepts: signed with AUTH_JWT_SECRET or the sandbox secret. */
async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        business: { type: 'string' },
        role: { type: 'string' },
        scope: { type: 'string' },
        sub: { type: 'string', default: 'user_cli' },
        expires: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.role && !ROLES.includes(values.role as Role)) fail(`--role must be one of ${ROLES.join(', ')}`);
  if (values.role && !values.business) fail('--role needs --business');
  if (!values.role && !values.scope) fail('give --business with --role, or --scope');

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const auth = await verifierOptions(config);
  if (!auth.secret) fail('AUTH_JWKS_URL is set: tokens come from the sign-in service that owns those keys.');
  const token = await signToken(auth.secret, {
    subject: values.sub!,
    businessId: values.business,
    role: values.role as Role | undefined,
    scopes: values.scope?.split(/\s+/).filter(Boolean),
    issuer: auth.issuer,
    audience: auth.audience,
    expiresIn: values.expires,
  });
  console.log(token);
}

await main();

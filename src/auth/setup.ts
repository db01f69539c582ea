import type { Config } from '../config/config.js';
import { sandboxJwtSecret } from './sandbox-secret.js';
import type { VerifierOptions } from './verifier.js';

/** How tokens are checked: JWKS, the configured secret, or in sandbox mode a generated secret. */
export async function verifierOptions(config: Config): Promise<VerifierOptions & { sandboxSecret: boolean }> {
  const { jwksUrl, jwtSecret, issuer, audience } = config.auth;
  if (jwksUrl) return { jwksUrl, issuer, audience, sandboxSecret: false };
  if (jwtSecret) return { secret: jwtSecret, issuer, audience, sandboxSecret: false };
  return { secret: await sandboxJwtSecret(config.dataDir), issuer, audience, sandboxSecret: true };
}

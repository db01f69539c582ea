import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { UnauthenticatedError } from '../errors/errors.js';
import { ROLES, type Principal } from './principal.js';

const claimsSchema = z.object({
  sub: z.string().min(1),
  business_id: z.string().min(1).optional(),
  role: z.enum(ROLES as [string, ...string[]]).optional(),
  scope: z.string().optional(),
});

export interface VerifierOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** Or a JWKS URL (RS256/ES256). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Verifies a bearer token and turns its claims into a Principal. Algorithms are pinned per key type,
 * so `alg: none` and algorithm-confusion tokens never verify; `exp` and `nbf` are always checked.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('token verification needs a JWKS URL or a shared secret');
  }

  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw new UnauthenticatedError(describeJoseError(error));
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new UnauthenticatedError(`Invalid token claims: ${claims.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    }
    const { sub, business_id, role, scope } = claims.data;
    return {
      subject: sub,
      businessId: business_id,
      role: role as Principal['role'],
      scopes: new Set((scope ?? '').split(' ').filter(Boolean)),
    };
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `Token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Token algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  return 'Invalid token';
}

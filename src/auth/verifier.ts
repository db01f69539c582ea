import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
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
 * A verified token is remembered (by its exact text) until it expires, at most this long: the
 * call-tracking service sends the same token thousands of times a second, and verifying it again
 * costs more CPU than the rest of a usage check. Bounded so that a key removed from the JWKS stops
 * being honoured soon after.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/**
 * Verifies a bearer token and turns its claims into a Principal. Algorithms are pinned per key type,
 * so `alg: none` and algorithm-confusion tokens never verify; `exp` and `nbf` are always checked.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  let key: KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (options.secret) {
    key = createSecretKey(Buffer.from(options.secret, 'utf8'));
    algorithms = ['HS256'];
  } else {
    throw new Error('token verification needs a JWKS URL or a shared secret');
  }

  const verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKEN_CACHE_SIZE });

  return async (token) => {
    const known = verified.get(token);
    if (known) return known;
    let payload: { exp?: number } & Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key as KeyObject, {
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
    const principal: Principal = {
      subject: sub,
      businessId: business_id,
      role: role as Principal['role'],
      scopes: new Set((scope ?? '').split(' ').filter(Boolean)),
    };
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, payload.exp! * 1000 - Date.now());
    if (ttl > 0) verified.set(token, principal, { ttl });
    return principal;
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `Token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Token algorithm not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  return 'Invalid token';
}

import { SignJWT } from 'jose';
import type { Role } from './principal.js';

export interface TokenClaims {
  subject: string;
  businessId?: string;
  role?: Role;
  scopes?: string[];
  issuer?: string;
  audience?: string;
  /** jose time span, e.g. '12h', '30d'. */
  expiresIn?: string;
}

/** Signs an HS256 token with the shared secret: for sandbox mode, the token CLI and tests. */
export async function signToken(secret: string, claims: TokenClaims): Promise<string> {
  const payload: Record<string, unknown> = {};
  if (claims.businessId) payload.business_id = claims.businessId;
  if (claims.role) payload.role = claims.role;
  if (claims.scopes?.length) payload.scope = claims.scopes.join(' ');
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/errors.js';
import { SCOPE_BILLING_ADMIN, SCOPE_USAGE_WRITE, type Principal } from './principal.js';

/** The contract's table "Who may do what", as checks that resolvers call first. */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthenticatedError();
  return principal;
}

export const isOperator = (p: Principal) => p.scopes.has(SCOPE_BILLING_ADMIN);
const isDashboardUser = (p: Principal) => p.role !== undefined && p.businessId !== undefined;

/** Operators only (scope billing:admin). */
export function requireOperator(principal: Principal | undefined): Principal {
  const p = requirePrincipal(principal);
  if (!isOperator(p)) throw new ForbiddenError('This needs an operator token (scope billing:admin)');
  return p;
}

/** Any signed-in dashboard user or operator: reads of shared things such as the plan catalogue. */
export function requireReader(principal: Principal | undefined): Principal {
  const p = requirePrincipal(principal);
  if (!isDashboardUser(p) && !isOperator(p)) throw new ForbiddenError();
  return p;
}

/**
 * The business whose billing data a read is about: the caller's own, or for an operator the one
 * named. A member, admin or owner can never name another business.
 */
export function requireBusinessReader(principal: Principal | undefined, requestedBusinessId?: string): string {
  const p = requirePrincipal(principal);
  if (isOperator(p) && requestedBusinessId) return requestedBusinessId;
  if (!isDashboardUser(p)) throw new ForbiddenError('This needs a dashboard user token with a business_id');
  // Another business's id answers as if it did not exist.
  if (requestedBusinessId && requestedBusinessId !== p.businessId) throw new NotFoundError('Billing account');
  return p.businessId!;
}

/** Owner or admin of its own business: every dashboard mutation. */
export function requireBusinessManager(principal: Principal | undefined): { businessId: string; actor: string } {
  const p = requirePrincipal(principal);
  if (!isDashboardUser(p)) throw new ForbiddenError('This needs a dashboard user token with a business_id');
  if (p.role !== 'owner' && p.role !== 'admin') throw new ForbiddenError('Only an owner or admin may do this');
  return { businessId: p.businessId!, actor: p.subject };
}

/** The call-tracking service (scope usage:write). */
export function requireUsageWriter(principal: Principal | undefined): Principal {
  const p = requirePrincipal(principal);
  if (!p.scopes.has(SCOPE_USAGE_WRITE)) throw new ForbiddenError('This needs a token with scope usage:write');
  return p;
}

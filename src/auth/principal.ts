export type Role = 'owner' | 'admin' | 'member';
export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

export const SCOPE_USAGE_WRITE = 'usage:write';
export const SCOPE_BILLING_ADMIN = 'billing:admin';

/** Who is calling, as the verified token says. */
export interface Principal {
  /** `sub`: the user or service id, recorded as the actor in billing history. */
  subject: string;
  /** The business a dashboard user acts for; service and operator tokens may have none. */
  businessId: string | undefined;
  role: Role | undefined;
  scopes: ReadonlySet<string>;
}

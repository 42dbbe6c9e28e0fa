import { Permission } from './permissions';

/**
 * Answers whether a tenant has granted a platform administrator access to its data right now
 * (/v1/cross-tenant-grants). Provided by the cross-tenant-grants module; without a provider no
 * cross-tenant access is ever granted.
 */
export const CROSS_TENANT_ACCESS = Symbol('CROSS_TENANT_ACCESS');

export interface ActiveGrants {
  /** Ids of the grants in force (empty: no access). */
  grantIds: string[];
  /** Union of their permissions: exactly what the grantee may do in the target tenant. */
  permissions: ReadonlySet<Permission>;
}

/** Who asks: a grant is for one `sub` of one home tenant (two tenants may both have an "ops-jane"). */
export interface Grantee {
  subject: string;
  homeTenant: string;
}

export interface CrossTenantAccess {
  /** Grants of `targetTenantId` to `grantee` that are neither revoked nor expired at `now`. */
  activeGrants(targetTenantId: string, grantee: Grantee, now: Date): Promise<ActiveGrants>;
}

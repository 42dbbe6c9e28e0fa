import { ActiveGrants } from './cross-tenant-access';
import { Permission } from './permissions';
import { Principal } from './principal';

export const TENANT_HEADER = 'x-tenant-id';

/** The token's principal plus what the tenant's custom roles grant (a new object: the token cache keeps the original). */
export function withCustomRolePermissions(principal: Principal, granted: ReadonlySet<Permission>): Principal {
  if (granted.size === 0) return principal;
  return { ...principal, permissions: new Set([...principal.permissions, ...granted]) };
}

/**
 * A platform administrator acting in `targetTenantId`: the tenant is the target, the permissions
 * are exactly the grants' (nothing of the token's roles, nothing of either tenant's custom roles),
 * and the home tenant is kept for the audit record.
 */
export function crossTenantPrincipal(principal: Principal, targetTenantId: string, grants: ActiveGrants): Principal {
  return {
    ...principal,
    tenantId: targetTenantId,
    permissions: new Set(grants.permissions),
    customRoles: undefined,
    crossTenant: { fromTenant: principal.tenantId, grantIds: [...grants.grantIds] },
  };
}

/**
 * The tenant named in X-Tenant-Id, or undefined when the header is absent. Repeated headers (or a
 * comma-joined value) are refused by the caller as a bad request: one request, one tenant.
 */
export function requestedTenantOf(headers: Record<string, string | string[] | undefined>): string | string[] | undefined {
  const value = headers[TENANT_HEADER];
  if (typeof value === 'string' && value.includes(',')) return value.split(',').map((v) => v.trim());
  return value;
}

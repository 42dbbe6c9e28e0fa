import { Permission } from './permissions';

/**
 * Resolves the custom roles a tenant defined (/v1/roles) into permissions. Provided by the roles
 * module; without a provider only the built-in matrix applies.
 */
export const TENANT_ROLE_RESOLVER = Symbol('TENANT_ROLE_RESOLVER');

export interface TenantRoleResolver {
  /** Permissions granted by those of `roleNames` that are custom roles of the tenant; unknown names grant nothing. */
  permissionsOf(tenantId: string, roleNames: readonly string[]): Promise<ReadonlySet<Permission>>;
}

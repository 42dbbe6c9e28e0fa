/** Every granular permission a route can require and a role can grant. */
export const PERMISSIONS = [
  'audit:read',
  'audit:read:own',
  'audit:export',
  'audit:verify',
  'audit:write',
  /** Platform ingestors only: name the tenant in the event body. */
  'audit:write:any-tenant',
  'reports:read',
  'reports:generate',
  'reports:schedule',
  /** Custom (configurable) report templates. */
  'reports:manage',
  'rules:read',
  'rules:write',
  'alerts:read',
  /** Acknowledge, resolve, dismiss alerts. */
  'alerts:triage',
  'alerts:config:read',
  'alerts:config:write',
  'roles:manage',
  'retention:read',
  /** Platform account administration only: change a tenant's retention policy (platform_operator). */
  'retention:manage',
  'grants:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/**
 * What a tenant may put into a custom role: everything but platform-level permissions (a tenant
 * cannot give its users the right to write into other tenants' logs).
 */
export const TENANT_ASSIGNABLE_PERMISSIONS: readonly Permission[] = PERMISSIONS.filter((p) => p !== 'audit:write:any-tenant' && p !== 'retention:manage');

/**
 * Permissions of the platform's account administration: a platform operator exercises them in the
 * tenant it names in X-Tenant-Id without that tenant's grant, and holds nothing else there (ADR 025).
 */
export const PLATFORM_OPERATOR_PERMISSIONS = ['retention:manage'] as const satisfies readonly Permission[];

/** What a tenant may open to a platform administrator through a cross-tenant grant: reading only. */
export const CROSS_TENANT_GRANTABLE_PERMISSIONS = ['audit:read', 'audit:export', 'audit:verify', 'reports:read'] as const satisfies readonly Permission[];

export interface PermissionError {
  path: string;
  message: string;
}

/**
 * Checks requested permission names against what may be given in a context; errors carry the field
 * path (`permissions[2]`). Unknown names and known-but-not-allowed names are both refused.
 */
export function permissionErrors(names: readonly string[], allowed: readonly Permission[], notAllowedMessage: string, field = 'permissions'): PermissionError[] {
  const errors: PermissionError[] = [];
  names.forEach((name, index) => {
    if (!isPermission(name)) errors.push({ path: `${field}[${index}]`, message: `"${name}" is not a known permission` });
    else if (!allowed.includes(name)) errors.push({ path: `${field}[${index}]`, message: `"${name}" ${notAllowedMessage}` });
  });
  return errors;
}

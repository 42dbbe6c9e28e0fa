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
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:config:read',
  'alerts:config:write',
  'roles:manage',
  'retention:read',
  'grants:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

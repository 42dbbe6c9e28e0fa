import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPermission, Permission } from './permissions';

/** The platform role that may name another tenant in X-Tenant-Id (and needs that tenant's grant). */
export const PLATFORM_ADMIN_ROLE = 'platform_admin';

/** The platform role of account administration: names a tenant in X-Tenant-Id for platform-level permissions only (ADR 025). */
export const PLATFORM_OPERATOR_ROLE = 'platform_operator';

export type RoleMatrix = ReadonlyMap<string, ReadonlySet<Permission>>;

export const ROLE_MATRIX_FILE = path.resolve(__dirname, '..', '..', 'config', 'roles.json');

/** Loads and checks config/roles.json: every permission named must exist. */
export function loadRoleMatrix(file = ROLE_MATRIX_FILE): RoleMatrix {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { roles?: Record<string, unknown> };
  if (!raw.roles || typeof raw.roles !== 'object') throw new Error(`${file}: expected { "roles": { name: [permissions] } }`);
  const matrix = new Map<string, ReadonlySet<Permission>>();
  for (const [role, permissions] of Object.entries(raw.roles)) {
    if (!Array.isArray(permissions)) throw new Error(`${file}: role ${role} must list permissions`);
    const unknown = permissions.filter((p) => typeof p !== 'string' || !isPermission(p));
    if (unknown.length) throw new Error(`${file}: role ${role} names unknown permissions ${unknown.join(', ')}`);
    matrix.set(role, new Set(permissions as Permission[]));
  }
  return matrix;
}

/** Permissions granted by the given roles; unknown roles grant nothing. */
export function permissionsOf(matrix: RoleMatrix, roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) matrix.get(role)?.forEach((p) => granted.add(p));
  return granted;
}

import { crossTenantPrincipal, requestedTenantOf, withCustomRolePermissions } from './effective-principal';
import { Permission } from './permissions';
import { Principal } from './principal';

const admin = (): Principal => ({
  subject: 'ops-jane',
  tenantId: 'platform',
  roles: ['platform_admin', 'platform_reviewer'],
  permissions: new Set<Permission>(['roles:manage']),
  actorType: 'admin',
  expiresAt: 4_102_444_800,
  customRoles: ['platform_reviewer'],
});

describe(withCustomRolePermissions.name, () => {
  it('adds what the custom roles grant to what the built-in roles grant, in a new principal', () => {
    const original = admin();
    const effective = withCustomRolePermissions(original, new Set<Permission>(['audit:read']));
    expect([...effective.permissions].sort()).toEqual(['audit:read', 'roles:manage']);
    expect([...original.permissions]).toEqual(['roles:manage']); // the cached token principal is untouched
  });

  it('returns the same principal when the custom roles grant nothing', () => {
    const original = admin();
    expect(withCustomRolePermissions(original, new Set())).toBe(original);
  });
});

describe(crossTenantPrincipal.name, () => {
  const grants = { grantIds: ['g1', 'g2'], permissions: new Set<Permission>(['audit:read', 'audit:export']) };

  it('runs in the target tenant with exactly the granted permissions, remembering the home tenant', () => {
    const acting = crossTenantPrincipal(admin(), 'acme', grants);
    expect(acting).toMatchObject({ subject: 'ops-jane', tenantId: 'acme', crossTenant: { fromTenant: 'platform', grantIds: ['g1', 'g2'] } });
    expect([...acting.permissions].sort()).toEqual(['audit:export', 'audit:read']);
    expect(acting.customRoles).toBeUndefined();
  });

  it('with no grant, holds no permission at all', () => {
    expect(crossTenantPrincipal(admin(), 'acme', { grantIds: [], permissions: new Set() }).permissions.size).toBe(0);
  });
});

describe(requestedTenantOf.name, () => {
  it.each<[string, Record<string, string | string[] | undefined>, unknown]>([
    ['absent', {}, undefined],
    ['one tenant', { 'x-tenant-id': 'acme' }, 'acme'],
    ['a comma-joined list', { 'x-tenant-id': 'acme, globex' }, ['acme', 'globex']],
    ['repeated headers', { 'x-tenant-id': ['acme', 'globex'] }, ['acme', 'globex']],
  ])('%s', (_, headers, expected) => {
    expect(requestedTenantOf(headers)).toEqual(expected);
  });
});

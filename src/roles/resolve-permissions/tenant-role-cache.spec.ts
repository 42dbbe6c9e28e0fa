import { Permission } from '../../auth/permissions';
import { TenantRoleCache, TenantRoles } from './tenant-role-cache';

function rolesOf(entries: Record<string, Permission[]>): TenantRoles {
  return new Map(Object.entries(entries).map(([name, permissions]) => [name, new Set(permissions)]));
}

/** A cache over a fake read model whose content and projection checkpoint the test controls. */
function setUp(options: { maxAgeMs?: number; maxTenants?: number } = {}) {
  const world = {
    checkpoint: '00000000000000000001' as string | null,
    now: 0,
    roles: new Map<string, TenantRoles>(),
    loads: [] as string[],
    failNext: false,
  };
  const cache = new TenantRoleCache({
    load: async (tenantId) => {
      world.loads.push(tenantId);
      if (world.failNext) {
        world.failNext = false;
        throw new Error('read store down');
      }
      return world.roles.get(tenantId) ?? new Map();
    },
    version: () => world.checkpoint,
    now: () => world.now,
    ...options,
  });
  return { world, cache };
}

describe(TenantRoleCache.name, () => {
  it("loads a tenant's roles once and serves them from memory while nothing was committed", async () => {
    const { world, cache } = setUp();
    world.roles.set('acme', rolesOf({ reviewer: ['audit:read'] }));
    expect((await cache.get('acme')).get('reviewer')).toEqual(new Set(['audit:read']));
    await cache.get('acme');
    await cache.get('acme');
    expect(world.loads).toEqual(['acme']);
  });

  it('reloads after the roles projection committed (its checkpoint moved)', async () => {
    const { world, cache } = setUp();
    world.roles.set('acme', rolesOf({ reviewer: ['audit:read'] }));
    await cache.get('acme');
    world.roles.set('acme', rolesOf({ reviewer: ['audit:read', 'audit:export'] }));
    world.checkpoint = '00000000000000000002';
    expect((await cache.get('acme')).get('reviewer')).toEqual(new Set(['audit:read', 'audit:export']));
    expect(world.loads).toEqual(['acme', 'acme']);
  });

  it('keeps tenants apart', async () => {
    const { world, cache } = setUp();
    world.roles.set('acme', rolesOf({ reviewer: ['audit:read'] }));
    world.roles.set('globex', rolesOf({ reviewer: ['roles:manage'] }));
    expect((await cache.get('acme')).get('reviewer')).toEqual(new Set(['audit:read']));
    expect((await cache.get('globex')).get('reviewer')).toEqual(new Set(['roles:manage']));
  });

  it('reloads after maxAgeMs even without a commit it could see (another instance)', async () => {
    const { world, cache } = setUp({ maxAgeMs: 2000 });
    await cache.get('acme');
    world.now = 1999;
    await cache.get('acme');
    expect(world.loads).toHaveLength(1);
    world.now = 2000;
    await cache.get('acme');
    expect(world.loads).toHaveLength(2);
  });

  it('shares one load between concurrent misses', async () => {
    const { world, cache } = setUp();
    await Promise.all([cache.get('acme'), cache.get('acme'), cache.get('acme')]);
    expect(world.loads).toEqual(['acme']);
  });

  it('does not remember a failed load', async () => {
    const { world, cache } = setUp();
    world.failNext = true;
    await expect(cache.get('acme')).rejects.toThrow('read store down');
    world.roles.set('acme', rolesOf({ reviewer: ['audit:read'] }));
    expect((await cache.get('acme')).has('reviewer')).toBe(true);
    expect(world.loads).toEqual(['acme', 'acme']);
  });

  it('is bounded: the oldest tenant is evicted beyond maxTenants', async () => {
    const { world, cache } = setUp({ maxTenants: 2 });
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('b');
    await cache.get('a');
    expect(world.loads).toEqual(['a', 'b', 'c', 'a']);
  });
});

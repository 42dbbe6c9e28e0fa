import { Permission } from '../../auth/permissions';

export type TenantRoles = ReadonlyMap<string, ReadonlySet<Permission>>;

export interface TenantRoleCacheOptions {
  /** Loads a tenant's custom roles from the read model. */
  load(tenantId: string): Promise<TenantRoles>;
  /**
   * The read model's version (the tenant-roles projection checkpoint): an entry loaded at another
   * version is stale. Read BEFORE loading, so that a commit during the load is never missed.
   */
  version(): string | null;
  now?: () => number;
  /** Backstop for changes this process cannot see commit (another instance's projection runner). */
  maxAgeMs?: number;
  maxTenants?: number;
}

interface Entry {
  version: string | null;
  loadedAt: number;
  roles: Promise<TenantRoles>;
}

/**
 * Custom roles per tenant, in memory: every request with a non-built-in role needs them, but they
 * change rarely. An entry is used only while the projection that feeds the read model has not
 * committed since it was loaded, and for at most `maxAgeMs`; concurrent misses share one load.
 */
export class TenantRoleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxAgeMs: number;
  private readonly maxTenants: number;

  constructor(private readonly options: TenantRoleCacheOptions) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? 2000;
    this.maxTenants = options.maxTenants ?? 10_000;
  }

  get(tenantId: string): Promise<TenantRoles> {
    const version = this.options.version();
    const entry = this.entries.get(tenantId);
    if (entry && entry.version === version && this.now() - entry.loadedAt < this.maxAgeMs) return entry.roles;
    if (entry) this.entries.delete(tenantId);
    else if (this.entries.size >= this.maxTenants) this.entries.delete(this.entries.keys().next().value as string);
    const roles = this.options.load(tenantId);
    const fresh: Entry = { version, loadedAt: this.now(), roles };
    this.entries.set(tenantId, fresh);
    // A failed load is not remembered: the next request tries again.
    roles.catch(() => {
      if (this.entries.get(tenantId) === fresh) this.entries.delete(tenantId);
    });
    return roles;
  }
}

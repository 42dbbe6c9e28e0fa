import { Inject, Injectable } from '@nestjs/common';
import { isPermission, Permission, TENANT_ASSIGNABLE_PERMISSIONS } from '../../auth/permissions';
import { TenantRoleResolver } from '../../auth/tenant-role-resolver';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { TENANT_ROLES, TENANT_ROLES_PROJECTION, TenantRoleDocument } from '../tenant-roles.read-model';
import { TenantRoleCache, TenantRoles } from './tenant-role-cache';

/**
 * What a token's custom roles grant in its tenant: read from the tenant-roles read model through a
 * small per-tenant cache that is dropped whenever that projection commits (ADR 008).
 */
@Injectable()
export class CustomRolePermissions implements TenantRoleResolver {
  private readonly cache: TenantRoleCache;

  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    projections: ProjectionRegistry,
  ) {
    this.cache = new TenantRoleCache({
      load: (tenantId) => this.load(tenantId),
      version: () => projections.runner(TENANT_ROLES_PROJECTION).status().checkpoint,
    });
  }

  async permissionsOf(tenantId: string, roleNames: readonly string[]): Promise<ReadonlySet<Permission>> {
    const roles = await this.cache.get(tenantId);
    const granted = new Set<Permission>();
    for (const name of roleNames) roles.get(name)?.forEach((p) => granted.add(p));
    return granted;
  }

  private async load(tenantId: string): Promise<TenantRoles> {
    const docs = (await this.store.find(TENANT_ROLES, { tenantId })) as unknown as TenantRoleDocument[];
    return new Map(
      docs.map((doc) => [
        doc.name,
        // Defence in depth: a role can only ever grant what a tenant role may hold.
        new Set(doc.permissions.filter((p): p is Permission => isPermission(p) && TENANT_ASSIGNABLE_PERMISSIONS.includes(p))),
      ]),
    );
  }
}

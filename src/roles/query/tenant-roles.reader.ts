import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { TENANT_ROLES, TenantRoleDocument, tenantRoleDocumentId } from '../tenant-roles.read-model';

/** Reads the tenant-roles read model; every read is scoped to one tenant. */
@Injectable()
export class TenantRolesReader {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async list(tenantId: string): Promise<TenantRoleDocument[]> {
    return (await this.store.find(TENANT_ROLES, { tenantId }, { sort: [['name', 1]] })) as unknown as TenantRoleDocument[];
  }

  async get(tenantId: string, name: string): Promise<TenantRoleDocument | null> {
    const doc = (await this.store.findById(TENANT_ROLES, tenantRoleDocumentId(tenantId, name))) as TenantRoleDocument | null;
    // The id already encodes the tenant; checking it again costs nothing and keeps isolation local.
    return doc && doc.tenantId === tenantId && doc.name === name ? doc : null;
  }
}

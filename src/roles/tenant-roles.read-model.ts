import { Permission } from '../auth/permissions';
import { CollectionDefinition } from '../read-store/read-store.port';

/** Read-model names and shapes shared by the tenant-roles projection and its readers. */
export const TENANT_ROLES_PROJECTION = 'tenant_roles';
export const TENANT_ROLES = 'tenant_roles';

export interface TenantRoleDocument {
  /** `<tenantId>/<name>`: "/" occurs in neither, so two tenants' roles can never share an id. */
  id: string;
  tenantId: string;
  name: string;
  permissions: Permission[];
  description: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** Revision of the role stream this document reflects. */
  revision: number;
}

export function tenantRoleDocumentId(tenantId: string, name: string): string {
  return `${tenantId}/${name}`;
}

export const TENANT_ROLES_COLLECTION: CollectionDefinition = {
  name: TENANT_ROLES,
  fields: { tenantId: 'string', name: 'string' },
  indexes: [{ name: 'by_tenant_name', keys: [['tenantId', 1], ['name', 1]], unique: true }],
};

/** What the API returns for a role: the document without its key and tenant. */
export type TenantRoleView = Omit<TenantRoleDocument, 'id' | 'tenantId'>;

export function toRoleView(doc: TenantRoleDocument): TenantRoleView {
  const { id: _id, tenantId: _tenantId, ...view } = doc;
  return view;
}

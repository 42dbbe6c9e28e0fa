import { Permission } from '../auth/permissions';
import { CollectionDefinition } from '../read-store/read-store.port';

/** Read-model names and shapes shared by the cross-tenant-grants projection and its readers. */
export const CROSS_TENANT_GRANTS_PROJECTION = 'cross_tenant_grants';
export const CROSS_TENANT_GRANTS = 'cross_tenant_grants';

export interface CrossTenantGrantDocument {
  /** `<tenantId>/<grantId>`. */
  id: string;
  tenantId: string;
  grantId: string;
  grantee: string;
  /** The grantee's home tenant; null (or absent) for grants issued before grants named it. */
  granteeTenant?: string | null;
  permissions: Permission[];
  expiresAt: string;
  issuedAt: string;
  issuedBy: string;
  /** 'issued' until revoked; whether it has expired depends on when you ask. */
  status: 'issued' | 'revoked';
  revokedAt: string | null;
  revokedBy: string | null;
}

export function grantDocumentId(tenantId: string, grantId: string): string {
  return `${tenantId}/${grantId}`;
}

export const CROSS_TENANT_GRANTS_COLLECTION: CollectionDefinition = {
  name: CROSS_TENANT_GRANTS,
  fields: { tenantId: 'string', grantee: 'string', expiresAt: 'string', issuedAt: 'string', status: 'string' },
  indexes: [
    { name: 'by_tenant', keys: [['tenantId', 1], ['issuedAt', -1]] },
    { name: 'by_grantee', keys: [['tenantId', 1], ['grantee', 1], ['expiresAt', 1]] },
  ],
};

/** What the API returns for a grant. */
export interface CrossTenantGrantView {
  id: string;
  grantee: string;
  /** null: issued before grants named the grantee's home tenant. */
  granteeTenant: string | null;
  permissions: Permission[];
  expiresAt: string;
  issuedAt: string;
  issuedBy: string;
  /**
   * As of the response: `active` (usable now), `expired`, `revoked`, or `unbound`: not expired nor
   * revoked, but issued before grants named the grantee's home tenant, so it opens nothing.
   */
  status: 'active' | 'expired' | 'revoked' | 'unbound';
  revokedAt?: string;
  revokedBy?: string;
}

export function toGrantView(doc: Omit<CrossTenantGrantDocument, 'id' | 'tenantId'>, now: Date): CrossTenantGrantView {
  const granteeTenant = doc.granteeTenant ?? null;
  const status = doc.status === 'revoked' ? 'revoked' : Date.parse(doc.expiresAt) <= now.getTime() ? 'expired' : granteeTenant === null ? 'unbound' : 'active';
  return {
    id: doc.grantId,
    grantee: doc.grantee,
    granteeTenant,
    permissions: doc.permissions,
    expiresAt: doc.expiresAt,
    issuedAt: doc.issuedAt,
    issuedBy: doc.issuedBy,
    status,
    ...(doc.revokedAt ? { revokedAt: doc.revokedAt } : {}),
    ...(doc.revokedBy ? { revokedBy: doc.revokedBy } : {}),
  };
}

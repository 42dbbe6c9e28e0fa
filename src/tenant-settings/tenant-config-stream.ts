import { STREAM_ID_PATTERN } from '../event-store/stream-names';

/**
 * Per-tenant singleton configuration streams: `<kind>-<tenantId>` (one stream per tenant and kind,
 * e.g. `tenant_settings-acme`, `alert_recipients-acme`). Tenant ids are validated like every stream id
 * (ADR 004), and no kind is a prefix of another kind followed by "-", so a stream names one tenant.
 */
export type TenantConfigKind = 'tenant_settings' | 'alert_recipients';

export function tenantConfigStreamOf(kind: TenantConfigKind, tenantId: string): string {
  if (!STREAM_ID_PATTERN.test(tenantId)) throw new Error(`Invalid tenant id "${tenantId}": use 1-128 of A-Z a-z 0-9 _ . :`);
  return `${kind}-${tenantId}`;
}

export function tenantConfigStreamPrefix(kind: TenantConfigKind): string {
  return `${kind}-`;
}

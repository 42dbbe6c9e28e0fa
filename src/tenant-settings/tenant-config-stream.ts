import { STREAM_ID_PATTERN, STREAM_ID_RULE } from '../event-store/stream-names';

/**
 * Per-tenant singleton configuration streams: `<kind>-<tenantId>` (one stream per tenant and kind,
 * e.g. `tenant_settings-acme`, `alert_recipients-acme`). Tenant ids are validated and encoded like
 * every stream id (ADR 004: "-" written as "~"), and no kind is a prefix of another kind followed by
 * "-", so a stream names one tenant.
 */
export type TenantConfigKind = 'tenant_settings' | 'alert_recipients';

export function tenantConfigStreamOf(kind: TenantConfigKind, tenantId: string): string {
  return `${kind}-${tenantStreamPart(tenantId)}`;
}

/** A tenant id as it appears inside a stream name: validated, "-" written as "~" (ADR 004, as in stream-names.ts). */
export function tenantStreamPart(tenantId: string): string {
  if (!STREAM_ID_PATTERN.test(tenantId)) throw new Error(`Invalid tenant id "${tenantId}": use ${STREAM_ID_RULE}`);
  return tenantId.replace(/-/g, '~');
}

export function tenantConfigStreamPrefix(kind: TenantConfigKind): string {
  return `${kind}-`;
}

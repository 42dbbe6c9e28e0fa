/** Per-tenant settings other modules read (ARCHITECTURE §8 `GET /v1/tenant-settings`). */
export const TENANT_SETTINGS = Symbol('TENANT_SETTINGS');

export const DEFAULT_TENANT_TIMEZONE = 'UTC';

export interface TenantSettingsReader {
  /** The tenant's IANA timezone, `UTC` when never set. */
  timezoneOf(tenantId: string): Promise<string>;
}

import { CollectionDefinition } from '../read-store/read-store.port';
import { TenantSettings } from './tenant-settings';

export const TENANT_SETTINGS_PROJECTION = 'tenant_settings';
export const TENANT_SETTINGS_COLLECTION_NAME = 'tenant_settings';

/** One document per tenant that ever changed its settings; `id` is the tenant id. */
export interface TenantSettingsDocument {
  id: string;
  tenantId: string;
  settings: TenantSettings;
}

export const TENANT_SETTINGS_COLLECTION: CollectionDefinition = { name: TENANT_SETTINGS_COLLECTION_NAME, fields: { tenantId: 'string' }, indexes: [] };

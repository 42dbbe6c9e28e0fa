import { DomainEvent } from '../event-sourcing/decider';
import { RecordedEvent } from '../event-store/event-store.port';
import { TenantSettings } from './tenant-settings';

/** Stable, versioned event type of the tenant settings stream (`tenant_settings-<tenantId>`). */
export const TENANT_SETTINGS_UPDATED = 'TenantSettingsUpdated.v1';

/** Carries the whole settings as they are after the change (version, who, when included). */
export type TenantSettingsUpdated = DomainEvent<typeof TENANT_SETTINGS_UPDATED, { tenantId: string; settings: TenantSettings }>;
export type TenantSettingsEvent = TenantSettingsUpdated;

export function decodeTenantSettingsEvent(recorded: RecordedEvent): TenantSettingsEvent {
  if (recorded.type !== TENANT_SETTINGS_UPDATED) throw new Error(`Unknown event type ${recorded.type} in tenant settings stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as TenantSettingsEvent;
}

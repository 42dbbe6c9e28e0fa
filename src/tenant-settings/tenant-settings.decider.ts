import { Decider } from '../event-sourcing/decider';
import { DEFAULT_TENANT_SETTINGS, TenantSettings, TenantSettingsValues } from './tenant-settings';
import { TENANT_SETTINGS_UPDATED, TenantSettingsEvent } from './tenant-settings.events';

export interface UpdateTenantSettings {
  tenantId: string;
  /** Token `sub` of the caller. */
  by: string;
  now: Date;
  settings: TenantSettingsValues;
}

/** The settings of one tenant: UTC until changed; a change that changes nothing writes nothing. */
export const tenantSettingsDecider: Decider<UpdateTenantSettings, TenantSettings, TenantSettingsEvent> = {
  initialState: DEFAULT_TENANT_SETTINGS,
  decide(command, state) {
    if (command.settings.timezone === state.timezone) return [];
    const settings: TenantSettings = { timezone: command.settings.timezone, version: state.version + 1, updatedAt: command.now.toISOString(), updatedBy: command.by };
    return [{ type: TENANT_SETTINGS_UPDATED, data: { tenantId: command.tenantId, settings } }];
  },
  evolve: (_state, event) => event.data.settings,
};

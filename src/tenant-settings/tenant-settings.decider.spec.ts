import { foldEvents } from '../event-sourcing/decider';
import { DEFAULT_TENANT_SETTINGS } from './tenant-settings';
import { tenantSettingsDecider } from './tenant-settings.decider';
import { TENANT_SETTINGS_UPDATED } from './tenant-settings.events';

const now = new Date('2026-11-28T10:00:00.000Z');

describe('tenantSettingsDecider', () => {
  it('starts at UTC, version 0, never changed', () => {
    expect(tenantSettingsDecider.initialState).toEqual({ timezone: 'UTC', version: 0, updatedAt: null, updatedBy: null });
  });

  it('given the default, when the timezone is set, then one TenantSettingsUpdated with version 1, who and when', () => {
    const events = tenantSettingsDecider.decide({ tenantId: 'acme', by: 'alice', now, settings: { timezone: 'Europe/Berlin' } }, DEFAULT_TENANT_SETTINGS);
    expect(events).toEqual([{ type: TENANT_SETTINGS_UPDATED, data: { tenantId: 'acme', settings: { timezone: 'Europe/Berlin', version: 1, updatedAt: now.toISOString(), updatedBy: 'alice' } } }]);
  });

  it('given a timezone, when the same timezone is set again, then nothing is written', () => {
    const state = foldEvents(tenantSettingsDecider, tenantSettingsDecider.decide({ tenantId: 'acme', by: 'alice', now, settings: { timezone: 'Asia/Tokyo' } }, DEFAULT_TENANT_SETTINGS));
    expect(tenantSettingsDecider.decide({ tenantId: 'acme', by: 'bob', now, settings: { timezone: 'Asia/Tokyo' } }, state)).toEqual([]);
  });

  it('given a changed timezone, when another is set, then the version grows by one', () => {
    const first = foldEvents(tenantSettingsDecider, tenantSettingsDecider.decide({ tenantId: 'acme', by: 'alice', now, settings: { timezone: 'Asia/Tokyo' } }, DEFAULT_TENANT_SETTINGS));
    const [event] = tenantSettingsDecider.decide({ tenantId: 'acme', by: 'bob', now, settings: { timezone: 'UTC' } }, first);
    expect(event.data.settings).toMatchObject({ timezone: 'UTC', version: 2, updatedBy: 'bob' });
  });
});

import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { decideAndProject } from '../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { AuditedChanges } from '../self-audit/self-audit.decorators';
import { tenantConfigStreamOf } from './tenant-config-stream';
import { DEFAULT_TENANT_SETTINGS, TenantSettings, tenantSettingsOf } from './tenant-settings';
import { tenantSettingsDecider } from './tenant-settings.decider';
import { decodeTenantSettingsEvent } from './tenant-settings.events';
import { TenantSettingsReader } from './tenant-settings.port';
import { TENANT_SETTINGS_COLLECTION_NAME, TENANT_SETTINGS_PROJECTION, TenantSettingsDocument } from './tenant-settings.read-model';

/** How long a change waits for the read model, so that the next read (and `timezoneOf`) shows it. */
const PROJECTION_WAIT_MS = 5000;

/** Tenant settings (ARCHITECTURE §8): event-sourced on `tenant_settings-<tenant>`, read from their projection. */
@Injectable()
export class TenantSettingsService implements TenantSettingsReader {
  private readonly logger = new Logger('TenantSettings');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async get(tenantId: string): Promise<TenantSettings> {
    const doc = (await this.store.findById(TENANT_SETTINGS_COLLECTION_NAME, tenantId)) as TenantSettingsDocument | null;
    return doc && doc.tenantId === tenantId ? doc.settings : DEFAULT_TENANT_SETTINGS;
  }

  async timezoneOf(tenantId: string): Promise<string> {
    return (await this.get(tenantId)).timezone;
  }

  /** Validates the body before anything is read or written; a change that changes nothing writes nothing. */
  async update(principal: Principal, body: unknown, now = new Date()): Promise<{ settings: TenantSettings; changes: AuditedChanges }> {
    const settings = tenantSettingsOf(body);
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: tenantConfigStreamOf('tenant_settings', principal.tenantId),
      decider: tenantSettingsDecider,
      decode: decodeTenantSettingsEvent,
      command: { tenantId: principal.tenantId, by: principal.subject, now, settings },
      projection: TENANT_SETTINGS_PROJECTION,
      waitMs: PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { tenantSettings: principal.tenantId },
    });
    return { settings: result.after, changes: { before: { timezone: result.before.timezone }, after: { timezone: result.after.timezone } } };
  }
}

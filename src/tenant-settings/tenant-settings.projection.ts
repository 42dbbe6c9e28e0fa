import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { tenantConfigStreamPrefix } from './tenant-config-stream';
import { decodeTenantSettingsEvent } from './tenant-settings.events';
import { TENANT_SETTINGS_COLLECTION, TENANT_SETTINGS_COLLECTION_NAME, TENANT_SETTINGS_PROJECTION, TenantSettingsDocument } from './tenant-settings.read-model';

/** Each tenant's settings as its last change left them. */
@ReadModelProjection()
@Injectable()
export class TenantSettingsProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: TENANT_SETTINGS_PROJECTION, version: 1, collections: [TENANT_SETTINGS_COLLECTION] };
  readonly streamPrefixes = [tenantConfigStreamPrefix('tenant_settings')];

  apply(recorded: RecordedEvent, writer: ProjectionWriter): void {
    const event = decodeTenantSettingsEvent(recorded);
    const doc: TenantSettingsDocument = { id: event.data.tenantId, tenantId: event.data.tenantId, settings: event.data.settings };
    writer.put(TENANT_SETTINGS_COLLECTION_NAME, doc);
  }
}

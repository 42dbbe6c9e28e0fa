import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { tenantConfigStreamPrefix } from '../tenant-settings/tenant-config-stream';
import { decodeAlertRecipientsEvent } from './alert-recipients.events';
import { ALERT_RECIPIENTS_COLLECTION, ALERT_RECIPIENTS_COLLECTION_NAME, ALERT_RECIPIENTS_PROJECTION, AlertRecipientsDocument } from './alert-recipients.read-model';

/** Each tenant's alert recipients as its last change left them. */
@ReadModelProjection()
@Injectable()
export class AlertRecipientsProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: ALERT_RECIPIENTS_PROJECTION, version: 1, collections: [ALERT_RECIPIENTS_COLLECTION] };
  readonly streamPrefixes = [tenantConfigStreamPrefix('alert_recipients')];

  apply(recorded: RecordedEvent, writer: ProjectionWriter): void {
    const event = decodeAlertRecipientsEvent(recorded);
    const doc: AlertRecipientsDocument = { id: event.data.tenantId, tenantId: event.data.tenantId, recipients: event.data.recipients };
    writer.put(ALERT_RECIPIENTS_COLLECTION_NAME, doc);
  }
}

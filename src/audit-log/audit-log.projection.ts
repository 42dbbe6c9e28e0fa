import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { AUDIT_STREAM_PREFIX } from '../event-store/stream-names';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from './audit-event';
import {
  AUDIT_EVENTS,
  AUDIT_EVENTS_COLLECTION,
  AUDIT_TENANTS,
  AUDIT_TENANTS_COLLECTION,
  AuditEventDocument,
  auditDocumentId,
  AuditTenantDocument,
  sortKeyOf,
} from './audit-log.read-model';

/** The queryable audit log: one document per recorded event, and each tenant's projected head. */
@ReadModelProjection()
@Injectable()
export class AuditLogProjection implements Projection {
  readonly definition: ProjectionDefinition = {
    name: 'audit_log',
    // 2: context.sourceService became a queryable field (excludeSelfAudit).
    version: 2,
    collections: [AUDIT_EVENTS_COLLECTION, AUDIT_TENANTS_COLLECTION],
  };
  readonly streamPrefixes = [AUDIT_STREAM_PREFIX];

  apply(recorded: RecordedEvent, writer: ProjectionWriter): void {
    if (recorded.type !== AUDIT_EVENT_RECORDED) return;
    const event = recorded.data as unknown as StoredAuditEvent;
    const doc: AuditEventDocument = {
      ...event,
      id: auditDocumentId(event.tenantId, event.id),
      eventId: event.id,
      sortKey: sortKeyOf(event.occurredAt, event.sequence),
    };
    writer.put(AUDIT_EVENTS, doc);
    const head: AuditTenantDocument = { id: event.tenantId, headSequence: event.sequence, headHash: event.hash };
    writer.put(AUDIT_TENANTS, head);
  }
}

import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { AUDIT_STREAM_PREFIX, RETENTION_STREAM_PREFIX, tenantOfAuditStream } from '../event-store/stream-names';
import { RETENTION_EVENTS_EXPIRED, RetentionEventsExpired } from '../retention/retention-policy';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from './audit-event';
import {
  AUDIT_EVENTS,
  AUDIT_EVENTS_COLLECTION,
  AUDIT_TENANTS,
  AUDIT_TENANTS_COLLECTION,
  auditDocumentId,
  auditEntryOf,
  AuditTenantDocument,
} from './audit-log.read-model';

/**
 * The queryable audit log: one index entry per recorded event (its body stays in the log, ADR 031),
 * and each tenant's projected head.
 * Events are independent documents, so a parked event does not hold its tenant's later events; it is
 * listed in the tenant's head document instead, and readers refuse to serve that tenant's log as if
 * it were complete (ADR 009).
 */
@ReadModelProjection()
@Injectable()
export class AuditLogProjection implements Projection {
  readonly definition: ProjectionDefinition = {
    name: 'audit_log',
    // 2: context.sourceService became a queryable field (excludeSelfAudit).
    // 3: index entries only; bodies are read from the log (ADR 031).
    version: 3,
    collections: [AUDIT_EVENTS_COLLECTION, AUDIT_TENANTS_COLLECTION],
  };
  readonly streamPrefixes = [AUDIT_STREAM_PREFIX, RETENTION_STREAM_PREFIX];
  readonly afterParked = 'continue-stream';

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (recorded.type === RETENTION_EVENTS_EXPIRED) {
      // Retention expired these events from the log (ADR 025): the queryable log drops them too.
      const expired = recorded.data as unknown as RetentionEventsExpired;
      for (const eventId of expired.eventIds) writer.delete(AUDIT_EVENTS, auditDocumentId(expired.tenantId, eventId));
      return;
    }
    if (recorded.type !== AUDIT_EVENT_RECORDED) return;
    // Refused here (and so parked) rather than stored: a thread with a larger stack (the projection
    // worker) could store a document that the HTTP thread then cannot serialize.
    if (nestedDeeperThan(recorded.data, MAX_READABLE_DEPTH)) {
      throw new Error(`event nested deeper than ${MAX_READABLE_DEPTH} levels: readers could not serialize it`);
    }
    const event = recorded.data as unknown as StoredAuditEvent;
    writer.put(AUDIT_EVENTS, auditEntryOf(event));
    const previous = (await writer.get(AUDIT_TENANTS, event.tenantId)) as AuditTenantDocument | null;
    const head: AuditTenantDocument = { id: event.tenantId, headSequence: event.sequence, headHash: event.hash };
    if (previous?.unreadable?.length) head.unreadable = previous.unreadable;
    writer.put(AUDIT_TENANTS, head);
  }

  /** The tenant's head moves past the event (read-your-writes goes on) and names it as unreadable. */
  async parked(recorded: RecordedEvent, error: string, writer: ProjectionWriter): Promise<void> {
    if (!recorded.stream.startsWith(AUDIT_STREAM_PREFIX)) return;
    const tenantId = tenantOfAuditStream(recorded.stream);
    const previous = (await writer.get(AUDIT_TENANTS, tenantId)) as AuditTenantDocument | null;
    const storedHash = (recorded.data as { hash?: unknown } | null)?.hash;
    const advances = recorded.revision > (previous?.headSequence ?? -1);
    const unreadable = (previous?.unreadable ?? []).filter((u) => u.sequence !== recorded.revision);
    unreadable.push({ sequence: recorded.revision, eventId: recorded.id, error });
    writer.put(AUDIT_TENANTS, {
      id: tenantId,
      headSequence: advances ? recorded.revision : previous!.headSequence,
      headHash: advances ? (typeof storedHash === 'string' ? storedHash : '') : previous!.headHash,
      unreadable,
    } satisfies AuditTenantDocument);
  }
}

/** Far above what ingestion accepts, far below what recursive serializers survive on any thread. */
export const MAX_READABLE_DEPTH = 256;

/** Whether objects/arrays nest deeper than `limit` (iterative: any depth is measured safely). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(current)) {
      for (const child of current) {
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in current) {
        const child = (current as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

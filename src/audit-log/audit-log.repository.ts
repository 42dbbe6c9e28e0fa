import { EventStore } from '../event-store/event-store.port';
import { ReadStore } from '../read-store/read-store.port';
import { StoredAuditEvent } from './audit-event';
import { AuditEventBodies } from './audit-event-bodies';
import { AUDIT_EVENTS, AUDIT_TENANTS, AuditEventDocument, auditDocumentId, AuditTenantDocument } from './audit-log.read-model';

/** What the projection has committed of a tenant's log. */
export interface ProjectedHead {
  sequence: number;
  hash: string;
}

/**
 * Typed reads of the audit read model for the writer: no collection names or casts at the call site.
 * The read-store port returns untyped documents; the audit_log projection is the only writer of
 * these two collections, which is why the shapes can be trusted here, in one place.
 */
export class AuditLogReadRepository {
  private readonly bodies: AuditEventBodies;

  constructor(
    private readonly store: ReadStore,
    events: EventStore,
  ) {
    this.bodies = new AuditEventBodies(events);
  }

  /** The recorded events, by client id, of those `ids` the read model holds for the tenant. */
  async recordedEvents(tenantId: string, ids: Iterable<string>): Promise<Map<string, StoredAuditEvent>> {
    const keys = [...ids].map((id) => auditDocumentId(tenantId, id));
    const found = new Map<string, StoredAuditEvent>();
    if (keys.length === 0) return found;
    const entries = (await this.store.find(AUDIT_EVENTS, { id: { $in: keys } })) as unknown[] as AuditEventDocument[];
    for (const { event } of await this.bodies.of(tenantId, entries)) found.set(event.id, event);
    return found;
  }

  /** The last sequence (and its hash) the projection has committed for the tenant, or null before its first event. */
  async projectedHead(tenantId: string): Promise<ProjectedHead | null> {
    const doc = (await this.store.findById(AUDIT_TENANTS, tenantId)) as AuditTenantDocument | null;
    return doc ? { sequence: doc.headSequence, hash: doc.headHash } : null;
  }
}

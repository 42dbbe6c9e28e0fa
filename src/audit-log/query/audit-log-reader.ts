import { Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { Filter, READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { StoredAuditEvent } from '../audit-event';
import { AUDIT_EVENTS, AUDIT_TENANTS, AuditEventDocument, auditDocumentId, auditIndexFor, AuditTenantDocument, toStoredEvent } from '../audit-log.read-model';
import { MAX_READABLE_DEPTH, nestedDeeperThan } from '../audit-log.projection';
import { decodeCursor, encodeCursor } from './audit-cursor';
import { AuditLogIncompleteException } from './audit-log-incomplete.exception';
import { auditLogFilter, AuditLogFilterParams, ownRecordsOnly } from './audit-log.filters';
import { FieldChange, fieldDiff } from './field-diff';

export const AUDIT_LOG_PROJECTION = 'audit_log';
const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

export interface AuditEventPage {
  items: StoredAuditEvent[];
  nextCursor: string | null;
}

export interface AuditEventDetail extends StoredAuditEvent {
  diff: FieldChange[];
  integrity: { sequence: number; prevHash: string; hash: string };
}

/** Reads of the audit-log read model; every read is scoped by the caller's tenant (and own records). */
@Injectable()
export class AuditLogReader {
  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async list(principal: Principal, params: AuditLogFilterParams & { cursor?: string; limit: number }): Promise<AuditEventPage> {
    await this.assertComplete(principal.tenantId);
    const before = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
    const filter = auditLogFilter(principal, params, before);
    const docs = (await this.store.find(AUDIT_EVENTS, filter, {
      sort: [['sortKey', -1]],
      limit: params.limit + 1,
      hint: auditIndexFor(filter),
    })) as unknown as AuditEventDocument[];
    const page = docs.slice(0, params.limit);
    assertServable(page);
    return {
      items: page.map(toStoredEvent),
      nextCursor: docs.length > params.limit ? encodeCursor(page[page.length - 1].sortKey) : null,
    };
  }

  async detail(principal: Principal, eventId: string): Promise<AuditEventDetail> {
    const unreadable = (await this.head(principal.tenantId))?.unreadable?.filter((u) => u.eventId === eventId);
    if (unreadable?.length) throw new AuditLogIncompleteException(unreadable);
    const doc = (await this.store.findById(AUDIT_EVENTS, auditDocumentId(principal.tenantId, eventId))) as unknown as AuditEventDocument | null;
    // Another tenant's event, or someone else's for an own-records reader, is indistinguishable from none.
    if (!doc || (ownRecordsOnly(principal) && doc.actor.id !== principal.subject)) {
      throw new NotFoundException(`No audit event ${eventId} in your tenant`);
    }
    assertServable([doc]);
    const event = toStoredEvent(doc);
    return {
      ...event,
      diff: event.changes ? fieldDiff(event.changes.before ?? null, event.changes.after ?? null) : [],
      integrity: { sequence: event.sequence, prevHash: event.prevHash, hash: event.hash },
    };
  }

  /** Pages through matching events newest first, in constant memory (export). */
  async *scan(filter: Filter, pageSize = 1000): AsyncGenerator<AuditEventDocument[]> {
    let before: string | undefined;
    for (;;) {
      const sortKey = { ...((filter.sortKey as object | undefined) ?? {}) } as { $gte?: string; $lt?: string };
      if (before !== undefined) sortKey.$lt = sortKey.$lt !== undefined && sortKey.$lt < before ? sortKey.$lt : before;
      const where = Object.keys(sortKey).length ? { ...filter, sortKey } : filter;
      const page = (await this.store.find(AUDIT_EVENTS, where, { sort: [['sortKey', -1]], limit: pageSize, hint: auditIndexFor(where) })) as unknown as AuditEventDocument[];
      // Taken before yielding: the consumer may turn the documents into events in place.
      const last = page.length === pageSize ? page[page.length - 1].sortKey : null;
      if (page.length > 0) yield page;
      if (last === null) return;
      before = last;
    }
  }

  /** Matching events with sequence > `after`, oldest first (live tail). */
  async after(filter: Filter, afterSequence: number, limit: number): Promise<AuditEventDocument[]> {
    const docs = (await this.store.find(AUDIT_EVENTS, { ...filter, sequence: { $gt: afterSequence } }, { sort: [['sequence', 1]], limit })) as unknown as AuditEventDocument[];
    assertServable(docs);
    return docs;
  }

  async head(tenantId: string): Promise<AuditTenantDocument | null> {
    return (await this.store.findById(AUDIT_TENANTS, tenantId)) as AuditTenantDocument | null;
  }

  /** Throws if events of the tenant up to `head` (default: all) are missing from the read model (parked). */
  async assertComplete(tenantId: string, head?: AuditTenantDocument | null): Promise<void> {
    const unreadable = (head === undefined ? await this.head(tenantId) : head)?.unreadable;
    if (unreadable?.length) throw new AuditLogIncompleteException(unreadable);
  }

  /** Waits (≤ 5 s) until the read model has applied `sequence` of the tenant; 503 if it has not. */
  async awaitSequence(tenantId: string, sequence: number | undefined): Promise<void> {
    if (sequence === undefined) return;
    const deadline = Date.now() + READ_YOUR_WRITES_TIMEOUT_MS;
    const runner = this.projections.runner(AUDIT_LOG_PROJECTION);
    for (;;) {
      const head = await this.head(tenantId);
      if (head && head.headSequence >= sequence) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ServiceUnavailableException(`The audit log has not applied sequence ${sequence} yet (at ${head?.headSequence ?? -1}); retry`);
      }
      await runner.nextCommit(Math.min(left, 250));
    }
  }

  /** Waits for the next read-model commit (live tail), at most `ms`. */
  nextCommit(ms: number): Promise<void> {
    return this.projections.runner(AUDIT_LOG_PROJECTION).nextCommit(ms);
  }
}

/**
 * Documents stored before the projection bounded their depth (ADR 009) could not be serialized into
 * an answer: name them in a problem instead of failing with a generic error. A rebuild parks them.
 */
function assertServable(docs: AuditEventDocument[]): void {
  const unservable = docs.filter((doc) => nestedDeeperThan(doc, MAX_READABLE_DEPTH));
  if (unservable.length > 0) {
    throw new AuditLogIncompleteException(unservable.map((doc) => ({ sequence: doc.sequence, eventId: doc.eventId, error: `nested deeper than ${MAX_READABLE_DEPTH} levels` })));
  }
}

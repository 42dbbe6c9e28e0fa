import { ForbiddenException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { Filter, READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { ALERT_EVENTS, AlertEventDocument } from '../../monitoring/alerts/alert-events';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { StoredAuditEvent } from '../audit-event';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { AuditEventBodies } from '../audit-event-bodies';
import { AUDIT_EVENTS, AUDIT_TENANTS, AuditEventDocument, auditDocumentId, auditIndexEqualityFields, auditIndexFor, AuditTenantDocument } from '../audit-log.read-model';
import { MAX_READABLE_DEPTH, nestedDeeperThan } from '../audit-log.projection';
import { decodeCursor, encodeCursor } from './audit-cursor';
import { AuditLogIncompleteException } from './audit-log-incomplete.exception';
import { auditLogFilter, AuditLogFilterParams, ownRecordsOnly } from './audit-log.filters';
import { FieldChange, fieldDiff } from './field-diff';

export const AUDIT_LOG_PROJECTION = 'audit_log';
const READ_YOUR_WRITES_TIMEOUT_MS = 5000;
/**
 * Index entries per window of a scan. A query over one window examines at most this many rows,
 * however few of them match, so it stays short (about a millisecond) and the scan can give the
 * event loop back between windows (ADR 012).
 */
const WINDOW_ROWS = 1000;
/**
 * Export windows are smaller: the body of every row of a window is read (about 2 ms for 200 rows of
 * ~1 KiB written as they are stored) and, for CSV, parsed and formatted too (measured: docs/PERFORMANCE.md).
 */
export const EXPORT_WINDOW_ROWS = { ndjson: 200, csv: 100 } as const;

export interface AuditEventPage {
  items: StoredAuditEvent[];
  nextCursor: string | null;
}

/** An event of the log as the log stores it (JSON text), with its index entry (what filters match on). */
export interface AuditLogRecord {
  entry: AuditEventDocument;
  json: string;
}

export interface AuditEventDetail extends StoredAuditEvent {
  diff: FieldChange[];
  integrity: { sequence: number; prevHash: string; hash: string };
}

/** Reads of the audit-log read model; every read is scoped by the caller's tenant (and own records). */
@Injectable()
export class AuditLogReader {
  private readonly listScanMaxRows: number;
  private readonly bodies: AuditEventBodies;

  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(EVENT_STORE) events: EventStore,
    private readonly projections: ProjectionRegistry,
    private readonly scheduler: CooperativeScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.listScanMaxRows = config.reads.listScanMaxRows;
    this.bodies = new AuditEventBodies(events);
  }

  /**
   * One page, newest first. The scan walks the filter's index in windows and stops after
   * LIST_SCAN_MAX_ROWS index entries: a filter that matches few or none of a large log then answers
   * a page with fewer items (possibly none) and a nextCursor from which the scan continues.
   */
  async list(principal: Principal, params: AuditLogFilterParams & { cursor?: string; limit: number; alertId?: string }): Promise<AuditEventPage> {
    await this.assertComplete(principal.tenantId);
    if (params.alertId !== undefined) return this.listOfAlert(principal, params.alertId, params);
    const before = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
    const filter = auditLogFilter(principal, params, before);
    if (matchesNothing(filter)) return { items: [], nextCursor: null };
    const wanted = params.limit + 1;
    const docs: AuditEventDocument[] = [];
    let examined = 0;
    for await (const window of this.windows(filter, Math.min(WINDOW_ROWS, this.listScanMaxRows))) {
      docs.push(...(await this.findIn(window.filter, wanted - docs.length)));
      examined += window.rows;
      if (docs.length >= wanted) break;
      if (window.lowerBound !== null && examined >= this.listScanMaxRows) {
        return { items: await this.servable(principal.tenantId, docs), nextCursor: encodeCursor(window.lowerBound) };
      }
    }
    const page = docs.slice(0, params.limit);
    return {
      items: await this.servable(principal.tenantId, page),
      nextCursor: docs.length > params.limit ? encodeCursor(page[page.length - 1].sortKey) : null,
    };
  }

  /**
   * The events of one alert, newest first, one page of its members (ALERT_EVENTS) at a time; the
   * caller's other filters apply to them, so a page may hold fewer than `limit` items.
   */
  private async listOfAlert(principal: Principal, alertId: string, params: AuditLogFilterParams & { cursor?: string; limit: number }): Promise<AuditEventPage> {
    if (!principal.permissions.has('alerts:read')) throw new ForbiddenException('Listing the events of an alert (alertId) needs the permission alerts:read');
    const before = params.cursor !== undefined ? decodeCursor(params.cursor) : undefined;
    const members = (await this.store.find(
      ALERT_EVENTS,
      { tenantId: principal.tenantId, alertId, ...(before !== undefined ? { sortKey: { $lt: before } } : {}) },
      { sort: [['sortKey', -1]], limit: params.limit + 1, hint: 'by_alert' },
    )) as unknown as AlertEventDocument[];
    // Another tenant's alert is indistinguishable from none.
    if (members.length === 0 && before === undefined) throw new NotFoundException(`No alert ${alertId} in your tenant`);
    const page = members.slice(0, params.limit);
    const filter = auditLogFilter(principal, params);
    const docs = matchesNothing(filter)
      ? []
      : ((await this.store.find(AUDIT_EVENTS, { ...filter, sequence: { $in: page.map((m) => m.sequence) } }, { hint: 'by_sequence' })) as unknown as AuditEventDocument[]);
    docs.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
    return {
      items: await this.servable(principal.tenantId, docs),
      nextCursor: members.length > params.limit ? encodeCursor(page[page.length - 1].sortKey) : null,
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
    const [event] = await this.servable(principal.tenantId, [doc]);
    if (!event) throw new NotFoundException(`No audit event ${eventId} in your tenant`); // expired by the retention policy a moment ago
    return {
      ...event,
      diff: event.changes ? fieldDiff(event.changes.before ?? null, event.changes.after ?? null) : [],
      integrity: { sequence: event.sequence, prevHash: event.prevHash, hash: event.hash },
    };
  }

  /**
   * Pages through matching events newest first, in constant memory (export): one page per window of
   * the index, possibly empty, giving the event loop back between windows when the slice is spent.
   * Each event comes as the JSON text the log stores: an NDJSON export writes it as it is.
   */
  async *scan(filter: Filter, windowRows: number = EXPORT_WINDOW_ROWS.ndjson): AsyncGenerator<Array<{ sequence: number; json: string }>> {
    if (matchesNothing(filter)) return;
    // An export walks the whole index: a bulk read (ADR 032).
    for await (const window of this.windows(filter, windowRows, { bulk: true })) {
      const found = await this.bodies.textsOf(filter.tenantId as string, await this.findIn(window.filter, undefined, { bulk: true }), { bulk: true });
      yield found.map(({ entry, json }) => ({ sequence: entry.sequence, json }));
    }
  }

  /**
   * Matching events with afterSequence < sequence ≤ upToSequence, oldest first (live tail). The
   * sequence range bounds the rows examined, however few of them match.
   */
  async between(filter: Filter, afterSequence: number, upToSequence: number): Promise<AuditLogRecord[]> {
    if (upToSequence <= afterSequence) return [];
    const docs = (await this.store.find(AUDIT_EVENTS, { ...filter, sequence: { $gt: afterSequence, $lte: upToSequence } }, {
      sort: [['sequence', 1]],
      hint: 'by_sequence',
    })) as unknown as AuditEventDocument[];
    return this.bodies.textsOf(filter.tenantId as string, docs);
  }

  /** The bodies of the entries, from the log, in their order; refused if one could not be serialized. */
  private async servable(tenantId: string, entries: AuditEventDocument[]): Promise<StoredAuditEvent[]> {
    const events = (await this.bodies.of(tenantId, entries)).map((r) => r.event);
    assertServable(events);
    return events;
  }

  private async findIn(filter: Filter, limit?: number, read: { bulk?: boolean } = {}): Promise<AuditEventDocument[]> {
    return (await this.store.find(AUDIT_EVENTS, filter, { sort: [['sortKey', -1]], limit, hint: auditIndexFor(filter), ...read })) as unknown as AuditEventDocument[];
  }

  /**
   * Splits the index range a filter walks (newest first) into consecutive windows of `rows` index
   * entries: each window's filter is the given one restricted to sortKey ≥ its lower bound, which
   * is found by skipping `rows` − 1 entries of the index alone (the index holds the tenant, the
   * equality fields it is chosen for and the sortKey, so no document is read to find it). The last
   * window has lowerBound null. Between windows the scan waits for its turn when its slice is spent.
   */
  private async *windows(filter: Filter, rows: number, read: { bulk?: boolean } = {}): AsyncGenerator<{ filter: Filter; lowerBound: string | null; rows: number }> {
    const range = { ...((filter.sortKey as { $gte?: string; $lt?: string } | undefined) ?? {}) };
    const hint = auditIndexFor(filter);
    const indexOnly: Filter = { tenantId: filter.tenantId };
    for (const field of auditIndexEqualityFields(hint)) indexOnly[field] = filter[field];
    const slice = this.scheduler.slice();
    for (;;) {
      await slice.pause();
      const sortKey = Object.keys(range).length ? { ...range } : undefined;
      const [bound] = (await this.store.find(AUDIT_EVENTS, { ...indexOnly, sortKey }, { sort: [['sortKey', -1]], skip: rows - 1, limit: 1, hint, ...read })) as unknown as AuditEventDocument[];
      if (!bound) {
        yield { filter: sortKey ? { ...filter, sortKey } : filter, lowerBound: null, rows };
        return;
      }
      yield { filter: { ...filter, sortKey: { ...range, $gte: bound.sortKey } }, lowerBound: bound.sortKey, rows };
      range.$lt = bound.sortKey;
    }
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
/** A stored event's JSON text parsed, refused (500 audit-log-incomplete) if it is too deep to serialize again. */
export function servableEvent(json: string): StoredAuditEvent {
  const event = JSON.parse(json) as StoredAuditEvent;
  assertServable([event]);
  return event;
}

function assertServable(events: StoredAuditEvent[]): void {
  const unservable = events.filter((event) => nestedDeeperThan(event, MAX_READABLE_DEPTH));
  if (unservable.length > 0) {
    throw new AuditLogIncompleteException(unservable.map((event) => ({ sequence: event.sequence, eventId: event.id, error: `nested deeper than ${MAX_READABLE_DEPTH} levels` })));
  }
}

/** A condition no document can meet (e.g. an own-records reader asking for another actor). */
function matchesNothing(filter: Filter): boolean {
  return Object.values(filter).some((value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { $in?: unknown }).$in) && (value as { $in: unknown[] }).$in.length === 0);
}

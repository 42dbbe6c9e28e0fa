import { EventStore } from '../event-store/event-store.port';
import { auditStreamOf } from '../event-store/stream-names';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from './audit-event';

/** A read-model entry names an event the log no longer holds, above the retention horizon. */
export class AuditEventBodyMissingError extends Error {
  constructor(
    readonly tenantId: string,
    readonly sequences: number[],
  ) {
    super(`The log of tenant ${tenantId} holds no event at sequence ${sequences.slice(0, 5).join(', ')}${sequences.length > 5 ? ', …' : ''} although the read model lists it`);
  }
}

/**
 * The audit read model holds index entries only (ADR 031): an event's body is read from the log,
 * the one copy of the evidence, by stream revision (= sequence).
 */
export class AuditEventBodies {
  constructor(private readonly events: EventStore) {}

  /**
   * The stored events at these sequences of the tenant's log, in the order of `entries`. Entries
   * below the retention horizon (expired, and the read model not yet told) are left out; one missing
   * above it is an inconsistency and throws, so that no reader silently serves a shorter answer.
   */
  async of<T extends { sequence: number }>(tenantId: string, entries: readonly T[]): Promise<Array<{ entry: T; event: StoredAuditEvent }>> {
    return (await this.textsOf(tenantId, entries)).map(({ entry, json }) => ({ entry, event: JSON.parse(json) as StoredAuditEvent }));
  }

  /** As {@link of}, with each event as the JSON text the log stores (NDJSON export: nothing to parse or serialize). */
  async textsOf<T extends { sequence: number }>(tenantId: string, entries: readonly T[], read: { bulk?: boolean } = {}): Promise<Array<{ entry: T; json: string }>> {
    if (entries.length === 0) return [];
    const stream = auditStreamOf(tenantId);
    const bySequence = new Map<number, string>();
    for (const row of await this.events.readRevisions(stream, entries.map((e) => e.sequence), read)) {
      if (row.type === AUDIT_EVENT_RECORDED) bySequence.set(row.revision, row.json);
    }
    const found: Array<{ entry: T; json: string }> = [];
    const missing: number[] = [];
    for (const entry of entries) {
      const json = bySequence.get(entry.sequence);
      if (json !== undefined) found.push({ entry, json });
      else missing.push(entry.sequence);
    }
    if (missing.length > 0) {
      const retainedFrom = await this.events.retainedFrom(stream);
      const unexplained = missing.filter((sequence) => sequence >= retainedFrom);
      if (unexplained.length > 0) throw new AuditEventBodyMissingError(tenantId, unexplained);
    }
    return found;
  }
}

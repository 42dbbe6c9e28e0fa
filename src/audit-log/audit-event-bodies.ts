import { EventStore } from '../event-store/event-store.port';
import { auditStreamOf } from '../event-store/stream-names';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from './audit-event';

/** Sequences closer than this are read as one range (the ones between are read and dropped). */
const MAX_GAP = 16;

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
 * the one copy of the evidence. Reads go by stream revision (= sequence), in ranges.
 */
export class AuditEventBodies {
  constructor(private readonly events: EventStore) {}

  /**
   * The stored events at these sequences of the tenant's log, in the order of `entries`. Entries
   * below the retention horizon (expired, and the read model not yet told) are left out; one missing
   * above it is an inconsistency and throws, so that no reader silently serves a shorter answer.
   */
  async of<T extends { sequence: number }>(tenantId: string, entries: readonly T[]): Promise<Array<{ entry: T; event: StoredAuditEvent }>> {
    if (entries.length === 0) return [];
    const stream = auditStreamOf(tenantId);
    const bySequence = new Map<number, StoredAuditEvent>();
    for (const [from, to] of rangesOf(entries.map((e) => e.sequence))) {
      for (const recorded of await this.events.readStream(stream, { fromRevision: from, maxCount: to - from + 1 })) {
        if (recorded.type === AUDIT_EVENT_RECORDED) bySequence.set(recorded.revision, recorded.data as unknown as StoredAuditEvent);
      }
    }
    const missing = entries.filter((e) => !bySequence.has(e.sequence)).map((e) => e.sequence);
    if (missing.length > 0) {
      const retainedFrom = await this.events.retainedFrom(stream);
      const unexplained = missing.filter((sequence) => sequence >= retainedFrom);
      if (unexplained.length > 0) throw new AuditEventBodyMissingError(tenantId, unexplained);
    }
    const found: Array<{ entry: T; event: StoredAuditEvent }> = [];
    for (const entry of entries) {
      const event = bySequence.get(entry.sequence);
      if (event) found.push({ entry, event });
    }
    return found;
  }
}

/** Sorted, de-duplicated sequences grouped into inclusive [from, to] ranges. */
export function rangesOf(sequences: number[]): Array<[number, number]> {
  const sorted = [...new Set(sequences)].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const sequence of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && sequence - last[1] <= MAX_GAP) last[1] = sequence;
    else ranges.push([sequence, sequence]);
  }
  return ranges;
}

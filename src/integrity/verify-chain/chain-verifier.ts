import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../../audit-log/audit-event';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { chainHash, GENESIS_HASH } from '../hash-chain';

export interface ChainVerification {
  valid: boolean;
  /** Events whose link was recomputed. */
  checked: number;
  fromSequence: number;
  toSequence: number;
  headSequence: number;
  headHash: string;
  firstInvalidSequence?: number;
  reason?: string;
}

/** Events per read: small enough that reading and parsing one page stays well within a time slice. */
const PAGE = 100;

/**
 * Re-reads a tenant's audit stream from the event store (the source of truth, not the read model)
 * and recomputes every link: sequence = stream revision, tenant, type, prevHash = previous hash,
 * hash = SHA-256(prevHash ‖ JCS(event without hash)). Hashing is synchronous CPU work: the
 * verification gives the event loop back between events whenever its time slice is spent (ADR 012).
 */
@Injectable()
export class ChainVerifier {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly scheduler: CooperativeScheduler,
  ) {}

  async verify(tenantId: string, fromSequence = 0, toSequence?: number): Promise<ChainVerification> {
    const stream = auditStreamOf(tenantId);
    const [headEvent] = await this.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const headSequence = headEvent ? headEvent.revision : -1;
    const headHash = headEvent ? ((headEvent.data as unknown as StoredAuditEvent).hash ?? '') : GENESIS_HASH;
    const to = Math.min(toSequence ?? headSequence, headSequence);
    const result = { fromSequence, toSequence: to, headSequence, headHash, checked: 0 };
    if (to < fromSequence) return { ...result, valid: true };

    let prevHash = GENESIS_HASH;
    if (fromSequence > 0) {
      const [previous] = await this.events.readStream(stream, { fromRevision: fromSequence - 1, maxCount: 1 });
      prevHash = (previous?.data as unknown as StoredAuditEvent | undefined)?.hash ?? '';
    }
    const slice = this.scheduler.slice();
    let next = fromSequence;
    while (next <= to) {
      await slice.pause();
      const page = await this.events.readStream(stream, { fromRevision: next, maxCount: Math.min(PAGE, to - next + 1) });
      if (page.length === 0) return { ...result, valid: false, firstInvalidSequence: next, reason: 'event missing from the stream' };
      for (const recorded of page) {
        const event = recorded.data as unknown as StoredAuditEvent;
        const problem =
          recorded.revision !== next
            ? `stream revision ${recorded.revision} where ${next} was expected`
            : recorded.type !== AUDIT_EVENT_RECORDED
              ? `unexpected event type ${recorded.type}`
              : event.sequence !== recorded.revision
                ? `sequence field ${event.sequence} differs from stream revision ${recorded.revision}`
                : event.tenantId !== tenantId
                  ? `event belongs to tenant ${event.tenantId}`
                  : event.prevHash !== prevHash
                    ? 'prevHash does not match the previous event hash'
                    : recomputed(event) !== event.hash
                      ? 'hash does not match the event content'
                      : null;
        if (problem) return { ...result, valid: false, firstInvalidSequence: next, reason: problem };
        prevHash = event.hash;
        result.checked += 1;
        next += 1;
        if (slice.due) await slice.pause();
      }
    }
    return { ...result, valid: true };
  }
}

function recomputed(event: StoredAuditEvent): string {
  const { hash: _hash, ...withoutHash } = event;
  return chainHash(event.prevHash, withoutHash as Record<string, unknown>);
}

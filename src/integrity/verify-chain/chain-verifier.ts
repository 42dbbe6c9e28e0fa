import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AUDIT_TENANTS, AuditTenantDocument } from '../../audit-log/audit-log.read-model';
import { auditStreamOf } from '../../event-store/stream-names';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../../audit-log/audit-event';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { GENESIS_HASH } from '../hash-chain';
import { AttestedExpiry, ExpiryAttestation } from '../expired-range';
import { ChainHashWorker } from './chain-hash-worker';
import { hashProblemOf } from './chain-hashing';

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
  /** Sequences known to have been recorded that the stream no longer holds (first and last, inclusive). */
  missingFrom?: number;
  missingTo?: number;
  /**
   * Set when the front of the stream was expired by retention (ADR 025): sequences 0..toSequence
   * are gone, and the `retention.expire` record at recordSequence (part of the verified chain)
   * accounts for them; verification started from the first retained event, whose prevHash is
   * lastExpiredHash.
   */
  expired?: AttestedExpiry;
}

/** Events per read: small enough that reading and parsing one page stays well within a time slice. */
const PAGE = 100;

/**
 * From this many events on, hashes are recomputed on the worker thread; shorter verifications hash
 * inline (sliced), where the copies to the thread and its start would cost more than they save.
 */
export const HASH_WORKER_MIN_EVENTS = 2000;

/**
 * Re-reads a tenant's audit stream from the event store (the source of truth, not the read model)
 * and recomputes every link: sequence = stream revision, tenant, type, prevHash = previous hash,
 * hash = SHA-256(prevHash ‖ JCS(event without hash)). Hashing is synchronous CPU work: a long
 * verification hands it to a worker thread page by page; a short one hashes inline and gives the event
 * loop back between events whenever its time slice is spent (ADR 012).
 */
@Injectable()
export class ChainVerifier {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly scheduler: CooperativeScheduler,
    @Optional() private readonly hashWorker: ChainHashWorker | null = null,
  ) {}

  /** Verifications of at least this many events hash on the worker thread (tests lower it). */
  hashWorkerMinEvents = HASH_WORKER_MIN_EVENTS;

  async verify(tenantId: string, fromSequence = 0, toSequence?: number): Promise<ChainVerification> {
    const stream = auditStreamOf(tenantId);
    // A second witness of the head: the read model has seen every event up to its head, so a stream
    // that ends before it has lost its tail (rows deleted underneath the store). Read first, so that
    // anything it has seen is already in the stream when the stream is read.
    const projected = (await this.readStore.findById(AUDIT_TENANTS, tenantId).catch(() => null)) as AuditTenantDocument | null;
    const [headEvent] = await this.events.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const headSequence = headEvent ? headEvent.revision : -1;
    const headHash = headEvent ? ((headEvent.data as unknown as StoredAuditEvent).hash ?? '') : GENESIS_HASH;
    const knownHead = Math.max(headSequence, projected?.headSequence ?? -1);
    const to = Math.min(toSequence ?? knownHead, knownHead);
    const result = { fromSequence, toSequence: to, headSequence, headHash, checked: 0 };
    if (to < fromSequence) return { ...result, valid: true };

    // Retention may have expired the front: the chain then starts at the first retained event, and a
    // retention.expire record in the retained chain must account for what is missing before it.
    const [firstEvent] = await this.events.readStream(stream, { maxCount: 1 });
    const firstRetained = firstEvent ? firstEvent.revision : 0;
    const firstPrevHash = (firstEvent?.data as unknown as StoredAuditEvent | undefined)?.prevHash ?? '';
    const attestation = new ExpiryAttestation(firstRetained, firstPrevHash);
    let prevHash = GENESIS_HASH;
    if (fromSequence <= firstRetained && firstRetained > 0) {
      fromSequence = firstRetained;
      result.fromSequence = firstRetained;
      if (to < fromSequence) return { ...result, valid: true };
      prevHash = firstPrevHash;
    } else if (fromSequence > 0) {
      const [previous] = await this.events.readStream(stream, { fromRevision: fromSequence - 1, maxCount: 1 });
      prevHash = (previous?.data as unknown as StoredAuditEvent | undefined)?.hash ?? '';
    }
    const slice = this.scheduler.slice();
    const hashWorker = this.hashWorker && to - fromSequence + 1 >= this.hashWorkerMinEvents ? this.hashWorker : null;
    let next = fromSequence;
    while (next <= to) {
      await slice.pause();
      const page = await this.events.readStream(stream, { fromRevision: next, maxCount: Math.min(PAGE, to - next + 1) });
      if (page.length === 0) {
        return { ...result, valid: false, firstInvalidSequence: next, reason: 'events missing from the end of the stream', missingFrom: next, missingTo: to };
      }
      const hashProblems = hashWorker ? await hashWorker.problemsOf(page.map((recorded) => recorded.data as unknown as StoredAuditEvent)) : null;
      for (const [index, recorded] of page.entries()) {
        if (recorded.revision > next) {
          return { ...result, valid: false, firstInvalidSequence: next, reason: 'events missing from the stream', missingFrom: next, missingTo: recorded.revision - 1 };
        }
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
                    : hashProblems
                      ? hashProblems[index]
                      : hashProblemOf(event);
        if (problem) return { ...result, valid: false, firstInvalidSequence: next, reason: problem };
        if (fromSequence === firstRetained) attestation.see(event as unknown as Record<string, unknown>, recorded.revision);
        prevHash = event.hash;
        result.checked += 1;
        next += 1;
        if (slice.due) await slice.pause();
      }
    }
    if (attestation.needed && fromSequence === firstRetained) {
      // The record may lie beyond the range asked for: look for it (unhashed) up to the head.
      for (let after = to + 1; !attestation.attested && after <= headSequence; ) {
        await slice.pause();
        const page = await this.events.readStream(stream, { fromRevision: after, maxCount: PAGE });
        if (page.length === 0) break;
        for (const recorded of page) attestation.see(recorded.data, recorded.revision);
        after = page[page.length - 1].revision + 1;
      }
      const missingFront = attestation.problem();
      if (missingFront) return { ...result, valid: false, firstInvalidSequence: 0, reason: missingFront, missingFrom: 0, missingTo: firstRetained - 1 };
      return { ...result, valid: true, expired: attestation.attested! };
    }
    return { ...result, valid: true };
  }
}

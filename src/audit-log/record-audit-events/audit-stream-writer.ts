import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore, NewEvent, RecordedEvent } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { CanonicalJsonError } from '../../integrity/canonical-json';
import { GENESIS_HASH, hashOfCanonical } from '../../integrity/hash-chain';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AUDIT_EVENT_RECORDED, AuditEventInput, RecordedReceipt, StoredAuditEvent } from '../audit-event';
import { canonicalStoredWithoutHash, submittedMembers, submittedSize } from '../audit-event-canonical';
import { submittedFingerprint } from '../audit-fingerprint';
import { AuditLogUnavailableError, IdempotencyConflictError, UnrecordableAuditEventError } from '../audit-log.errors';
import { AuditEventTooLargeError } from './audit-event.validator';
import { AUDIT_EVENTS, AUDIT_TENANTS, AuditEventDocument, auditDocumentId, AuditTenantDocument, toStoredEvent } from '../audit-log.read-model';

/** An event recorded but possibly not yet in the read model: enough to answer a resend. */
interface RecentEvent {
  sequence: number;
  /** Kept for this instance's own appends; loaded from the stream on demand otherwise. */
  event?: StoredAuditEvent;
}

interface Submission {
  inputs: AuditEventInput[];
  /** Upper bound of the bytes its events add to an append. */
  bytes: number;
  resolve(receipts: RecordedReceipt[]): void;
  reject(error: unknown): void;
}

interface TenantLog {
  tenantId: string;
  stream: string;
  loaded: boolean;
  headSequence: number;
  headHash: string;
  recent: Map<string, RecentEvent>;
  queue: Submission[];
  flushing: boolean;
  lastUsed: number;
}

type Planned =
  | { kind: 'existing'; event: StoredAuditEvent }
  | { kind: 'new'; input: AuditEventInput; id: string; index: number };

const MAX_EVENTS_PER_APPEND = 5000;
/**
 * What an event adds to an append beyond its submitted members, at most: the server's members (id,
 * tenant, sequence, recordedAt, two hashes), the event's metadata (tenant), type and framing.
 */
const SERVER_BYTES_PER_EVENT = 1024;
const MAX_CONFLICT_RETRIES = 10;
const IDLE_EVICTION_MS = 10 * 60 * 1000;
/** Recent (not yet projected) events whose content stays in memory for idempotency checks. */
const RECENT_EVENTS_KEPT = 20_000;

/**
 * Appends audit events to `audit-<tenant>` streams with a per-tenant group commit: concurrent
 * submissions are coalesced into one append (one fsync), their hashes chained in order. A submission
 * resolves only once its append is durable. Each submission is all-or-nothing.
 */
@Injectable()
export class AuditStreamWriter implements OnModuleDestroy {
  private readonly logger = new Logger(AuditStreamWriter.name);
  private readonly tenants = new Map<string, TenantLog>();
  private readonly sweeper: NodeJS.Timeout;
  /** Emits `appended` (tenantId, StoredAuditEvent[]) after each durable append. */
  readonly appended = new EventEmitter();

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {
    this.appended.setMaxListeners(0);
    this.sweeper = setInterval(() => this.evictIdle(), 60_000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Records the events atomically in the tenant's log; resolves with one receipt per event. A
   * submission that cannot be recorded (its content cannot be canonicalised) is refused here, alone,
   * with an UnrecordableAuditEventError: it never joins a group commit, so it cannot fail others.
   */
  record(tenantId: string, inputs: AuditEventInput[]): Promise<RecordedReceipt[]> {
    let unrecordable: Error | null;
    try {
      unrecordable = this.unrecordable(tenantId, inputs);
    } catch (error) {
      unrecordable = error instanceof Error ? error : new Error(String(error)); // e.g. a toJSON that threw
    }
    if (unrecordable) return Promise.reject(unrecordable);
    const bytes = this.appendBytesOf(tenantId, inputs);
    if (bytes > this.events.maxAppendBytes) {
      // Grouping never splits a submission (it is all-or-nothing), so one larger than an append can never be written.
      return Promise.reject(
        new AuditEventTooLargeError(`This submission needs an append of up to ${bytes} bytes; the event store accepts at most ${this.events.maxAppendBytes} bytes per append: send fewer events per batch`),
      );
    }
    const log = this.logOf(tenantId);
    return new Promise((resolve, reject) => {
      log.queue.push({ inputs, bytes, resolve, reject });
      if (!log.flushing) {
        log.flushing = true;
        // Let submissions that arrive in the same tick join this append.
        setImmediate(() => void this.flush(log));
      }
    });
  }

  private appendBytesOf(tenantId: string, inputs: AuditEventInput[]): number {
    let bytes = 0;
    for (const input of inputs) bytes += submittedSize(input) + 2 * Buffer.byteLength(tenantId) + SERVER_BYTES_PER_EVENT;
    return bytes;
  }

  /** Canonicalises each event now (cached for hashing and storage); the reason if one cannot be. */
  private unrecordable(tenantId: string, inputs: AuditEventInput[]): UnrecordableAuditEventError | null {
    for (let i = 0; i < inputs.length; i++) {
      try {
        submittedMembers(inputs[i]);
      } catch (error) {
        if (!(error instanceof CanonicalJsonError)) throw error;
        const path = inputs.length > 1 ? `events[${i}].${error.path}` : error.path;
        this.logger.warn({ msg: 'submission refused: it cannot be canonicalised', tenantId, path, reason: error.reason });
        return new UnrecordableAuditEventError([{ path, message: error.reason.replace(/^JCS: /, 'cannot be recorded: ') }]);
      }
    }
    return null;
  }

  private async flush(log: TenantLog): Promise<void> {
    try {
      while (log.queue.length > 0) {
        const batch: Submission[] = [];
        let count = 0;
        let bytes = 0;
        const fits = (next: Submission) => count + next.inputs.length <= MAX_EVENTS_PER_APPEND && bytes + next.bytes <= this.events.maxAppendBytes;
        while (log.queue.length > 0 && (batch.length === 0 || fits(log.queue[0]))) {
          const next = log.queue.shift()!;
          batch.push(next);
          count += next.inputs.length;
          bytes += next.bytes;
        }
        await this.commit(log, batch);
      }
    } finally {
      log.flushing = false;
      log.lastUsed = Date.now();
    }
  }

  private async commit(log: TenantLog, batch: Submission[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let pending = batch;
      try {
        if (!log.loaded) await this.load(log);
        const plans = await this.plan(log, batch);
        pending = plans.filter((p) => p.plan !== null).map((p) => p.submission);
        const accepted = plans.filter((p): p is { submission: Submission; plan: Planned[] } => p.plan !== null);
        const chained = this.chain(log, accepted.flatMap((p) => p.plan.filter((i): i is Extract<Planned, { kind: 'new' }> => i.kind === 'new')));
        const fresh = chained.map((c) => c.event);
        if (fresh.length > 0) {
          await this.events.append(log.stream, chained.map(toNewEvent), log.headSequence === -1 ? 'no_stream' : log.headSequence);
          const last = fresh[fresh.length - 1];
          log.headSequence = last.sequence;
          log.headHash = last.hash;
          // Full events are kept only while the window is small; beyond that a collision re-reads the
          // stream, so memory stays bounded even when the projection lags far behind.
          for (const event of fresh) log.recent.set(event.id, log.recent.size < RECENT_EVENTS_KEPT ? { sequence: event.sequence, event } : { sequence: event.sequence });
          this.appended.emit('appended', log.tenantId, fresh);
        }
        for (const { submission, plan } of accepted) {
          submission.resolve(plan.map((item) => receiptOf(item.kind === 'new' ? fresh[item.index] : item.event, item.kind === 'existing')));
        }
        return;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < MAX_CONFLICT_RETRIES) {
          // Another instance appended to this tenant's stream: learn its events, then plan again.
          await this.readTail(log).catch(() => (log.loaded = false));
          continue;
        }
        log.loaded = false; // unknown state: reload before the next append
        this.logger.error({ msg: 'append failed', tenantId: log.tenantId, error: error instanceof Error ? error.message : String(error) });
        const failure =
          error instanceof WrongExpectedRevisionError
            ? new AuditLogUnavailableError('Too much write contention on this tenant log; retry', { cause: error })
            : new AuditLogUnavailableError('The audit log is unavailable; nothing was recorded', { cause: error });
        pending.forEach((s) => s.reject(failure));
        return;
      }
    }
  }

  /**
   * Resolves each submission into new events and idempotent resends, or rejects it (reused id with
   * different content). Ids are checked against the recent window, the read model, and the batch.
   */
  private async plan(log: TenantLog, batch: Submission[]): Promise<Array<{ submission: Submission; plan: Planned[] | null }>> {
    const older = await this.lookupOlder(log, batch);
    const claimed = new Map<string, { input: AuditEventInput; index: number }>();
    let index = 0;
    const result: Array<{ submission: Submission; plan: Planned[] | null }> = [];
    for (const submission of batch) {
      const plan: Planned[] = [];
      const local = new Map<string, { input: AuditEventInput; index: number }>();
      let conflict: string | null = null;
      let unrecordable: { id: string; error: CanonicalJsonError } | null = null;
      for (const input of submission.inputs) {
        const id = input.id ?? randomUUID();
        const known = input.id ? ((await this.recentEvent(log, id)) ?? older.get(id)) : undefined;
        try {
          if (known) {
            if (submittedFingerprint(known, id) !== submittedFingerprint(input, id)) conflict = id;
            else plan.push({ kind: 'existing', event: known });
          } else {
            const sibling = local.get(id) ?? claimed.get(id);
            if (sibling) {
              if (submittedFingerprint(sibling.input, id) !== submittedFingerprint(input, id)) conflict = id;
              else plan.push({ kind: 'new', input: sibling.input, id, index: sibling.index });
            } else {
              const entry = { input, index: index + local.size };
              local.set(id, entry);
              plan.push({ kind: 'new', input, id, index: entry.index });
            }
          }
        } catch (error) {
          // A stored event this one is compared with cannot be canonicalised: refuse this submission only.
          if (!(error instanceof CanonicalJsonError)) throw error;
          unrecordable = { id, error };
        }
        if (conflict || unrecordable) break;
      }
      if (conflict || unrecordable) {
        submission.reject(
          unrecordable
            ? new AuditLogUnavailableError(`Event ${unrecordable.id} cannot be compared with its recorded form (${unrecordable.error.message}); nothing was recorded`, {
                cause: unrecordable.error,
              })
            : new IdempotencyConflictError(conflict!),
        );
        result.push({ submission, plan: null });
        continue;
      }
      local.forEach((entry, id) => claimed.set(id, entry));
      index += local.size;
      result.push({ submission, plan });
    }
    return result;
  }

  /** Assigns sequences and chains hashes for the new events, in submission order. */
  private chain(log: TenantLog, items: Array<Extract<Planned, { kind: 'new' }>>): Chained[] {
    const unique = new Map<number, Extract<Planned, { kind: 'new' }>>();
    for (const item of items) if (!unique.has(item.index)) unique.set(item.index, item);
    const recordedAt = new Date().toISOString();
    let sequence = log.headSequence;
    let prevHash = log.headHash;
    const chained: Chained[] = [];
    for (const [, { input, id }] of [...unique.entries()].sort(([a], [b]) => a - b)) {
      sequence += 1;
      const server = { id, tenantId: log.tenantId, sequence, recordedAt, prevHash };
      // The JCS text is built from members canonicalised once (at validation) and is also the stored text.
      const canonical = canonicalStoredWithoutHash(input, server);
      const hash = hashOfCanonical(prevHash, canonical);
      const { id: _id, tenantId: _tenant, ...fields } = input;
      chained.push({ event: { ...fields, ...server, hash }, json: `${canonical.slice(0, -1)},"hash":"${hash}"}` });
      prevHash = hash;
    }
    return chained;
  }

  /** Client ids not in the recent window are looked up in the read model (one query per batch). */
  private async lookupOlder(log: TenantLog, batch: Submission[]): Promise<Map<string, StoredAuditEvent>> {
    await this.pruneProjected(log);
    const ids = new Set<string>();
    for (const s of batch) for (const input of s.inputs) if (input.id && !log.recent.has(input.id)) ids.add(input.id);
    const found = new Map<string, StoredAuditEvent>();
    if (ids.size === 0) return found;
    const docs = (await this.readStore.find(AUDIT_EVENTS, {
      id: { $in: [...ids].map((id) => auditDocumentId(log.tenantId, id)) },
    })) as unknown as AuditEventDocument[];
    for (const doc of docs) found.set(doc.eventId, toStoredEvent(doc));
    return found;
  }

  /** Forgets recent events the read model has committed (they are found there from now on). */
  private async pruneProjected(log: TenantLog): Promise<void> {
    if (log.recent.size === 0) return;
    const projected = (await this.readStore.findById(AUDIT_TENANTS, log.tenantId)) as AuditTenantDocument | null;
    if (!projected) return;
    for (const [id, entry] of log.recent) if (entry.sequence <= projected.headSequence) log.recent.delete(id);
  }

  private async recentEvent(log: TenantLog, id: string): Promise<StoredAuditEvent | undefined> {
    const entry = log.recent.get(id);
    if (!entry) return undefined;
    if (!entry.event) {
      const [event] = await this.events.readStream(log.stream, { fromRevision: entry.sequence, maxCount: 1 });
      entry.event = event?.data as unknown as StoredAuditEvent;
    }
    return entry.event;
  }

  /** First use of a tenant (or after an error): head of the stream, and the not-yet-projected tail. */
  private async load(log: TenantLog): Promise<void> {
    const projected = (await this.readStore.findById(AUDIT_TENANTS, log.tenantId)) as AuditTenantDocument | null;
    log.recent.clear();
    log.headSequence = projected ? projected.headSequence : -1;
    log.headHash = projected ? projected.headHash : GENESIS_HASH;
    if (projected) {
      const [atHead] = await this.events.readStream(log.stream, { fromRevision: projected.headSequence, maxCount: 1 });
      if (!atHead || atHead.revision > projected.headSequence) {
        // Events the read model has seen are gone from the stream (rows deleted underneath the store).
        // Recording goes on after the last known head, so the chain still proves they existed; verify names the gap.
        this.logger.error({ msg: 'events missing from the audit stream; chaining after the last projected head (GET /v1/integrity/verify reports the gap)', tenantId: log.tenantId, projectedHead: projected.headSequence, nextInStream: atHead?.revision ?? null });
      } else if ((atHead.data as unknown as StoredAuditEvent).hash !== projected.headHash) {
        throw new AuditLogUnavailableError(`Read model of tenant ${log.tenantId} disagrees with its stream at ${projected.headSequence}`);
      }
    }
    await this.readTail(log);
    log.loaded = true;
  }

  /** Reads events after the known head (appended by another instance, or not yet projected). */
  private async readTail(log: TenantLog): Promise<void> {
    for (;;) {
      const events: RecordedEvent[] = await this.events.readStream(log.stream, { fromRevision: log.headSequence + 1, maxCount: 1000 });
      if (events.length === 0) return;
      for (const recorded of events) {
        const event = recorded.data as unknown as StoredAuditEvent;
        log.recent.set(event.id, { sequence: event.sequence });
        log.headSequence = event.sequence;
        log.headHash = event.hash;
      }
    }
  }

  private logOf(tenantId: string): TenantLog {
    let log = this.tenants.get(tenantId);
    if (!log) {
      log = {
        tenantId,
        stream: auditStreamOf(tenantId),
        loaded: false,
        headSequence: -1,
        headHash: GENESIS_HASH,
        recent: new Map(),
        queue: [],
        flushing: false,
        lastUsed: Date.now(),
      };
      this.tenants.set(tenantId, log);
    }
    return log;
  }

  private evictIdle(): void {
    const cutoff = Date.now() - IDLE_EVICTION_MS;
    for (const [tenantId, log] of this.tenants) {
      if (!log.flushing && log.queue.length === 0 && log.lastUsed < cutoff) this.tenants.delete(tenantId);
    }
  }
}

/** A chained event and its stored JSON text (the JCS text that was hashed, plus the hash). */
interface Chained {
  event: StoredAuditEvent;
  json: string;
}

function toNewEvent({ event, json }: Chained): NewEvent {
  return { id: event.id, type: AUDIT_EVENT_RECORDED, data: event as unknown as NewEvent['data'], serializedData: json, metadata: { tenantId: event.tenantId } };
}

function receiptOf(event: StoredAuditEvent, duplicate: boolean): RecordedReceipt {
  return { id: event.id, tenantId: event.tenantId, sequence: event.sequence, hash: event.hash, recordedAt: event.recordedAt, duplicate };
}

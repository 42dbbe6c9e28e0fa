import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore, NewEvent, RecordedEvent } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { CanonicalJsonError } from '../../integrity/canonical-json';
import { GENESIS_HASH } from '../../integrity/hash-chain';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AUDIT_EVENT_RECORDED, AuditEventInput, RecordedReceipt, StoredAuditEvent } from '../audit-event';
import { submittedMembers, submittedSize } from '../audit-event-canonical';
import { AuditLogReadRepository } from '../audit-log.repository';
import { AuditLogBackloggedError, AuditLogUnavailableError, IdempotencyConflictError, UnrecordableAuditEventError } from '../audit-log.errors';
import { AuditEventTooLargeError } from './audit-event.validator';
import { chainEvents, ChainedEvent, planSubmissions, receiptsOf } from './audit-log.decider';

/** An event recorded but possibly not yet in the read model: enough to answer a resend. */
interface RecentEvent {
  sequence: number;
  /** Kept for this instance's own appends; loaded from the stream on demand otherwise. */
  event?: StoredAuditEvent;
}

interface Submission {
  inputs: AuditEventInput[];
  /** Refused (429) while the tenant's unprojected backlog is at its limit (client ingestion, ADR 030). */
  bounded: boolean;
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

  private readonly repository: AuditLogReadRepository;
  private readonly maxUnprojected: number;
  /** Emits `appended` (tenantId, StoredAuditEvent[]) after each durable append: wakes the SIEM feeds at once (ADR 020). */
  readonly appended = new EventEmitter();

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Optional() @Inject(APP_CONFIG) config: AppConfig | null = null,
  ) {
    this.maxUnprojected = config?.ingestion.maxUnprojectedEvents ?? Number.POSITIVE_INFINITY;
    this.repository = new AuditLogReadRepository(readStore, events);
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
  record(tenantId: string, inputs: AuditEventInput[], options: { bounded?: boolean } = {}): Promise<RecordedReceipt[]> {
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
      log.queue.push({ inputs, bytes, bounded: options.bounded ?? false, resolve, reject });
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
        if (await this.backlogged(log)) {
          const refused = log.queue.filter((s) => s.bounded);
          log.queue = log.queue.filter((s) => !s.bounded);
          refused.forEach((s) => s.reject(new AuditLogBackloggedError(log.recent.size)));
          if (log.queue.length === 0) break;
        }
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

  /** Whether the tenant's recorded-but-unprojected events reached the limit (client submissions wait). */
  private async backlogged(log: TenantLog): Promise<boolean> {
    if (log.recent.size < this.maxUnprojected || !log.queue.some((s) => s.bounded)) return false;
    await this.pruneProjected(log).catch(() => undefined);
    return log.recent.size >= this.maxUnprojected;
  }

  /** The I/O shell around the decider: load what the plan needs, decide, append, answer. */
  private async commit(log: TenantLog, batch: Submission[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let pending = batch;
      try {
        if (!log.loaded) await this.load(log);
        const recorded = await this.recordedEventsNamedBy(log, batch);
        const plans = planSubmissions(
          batch.map((s) => s.inputs),
          recorded,
          randomUUID,
        );
        pending = batch.filter((_, i) => plans[i].outcome === 'accepted');
        const { chained, head } = chainEvents({ tenantId: log.tenantId, sequence: log.headSequence, hash: log.headHash }, plans, new Date().toISOString());
        if (chained.length > 0) {
          await this.events.append(log.stream, chained.map(toNewEvent), log.headSequence === -1 ? 'no_stream' : log.headSequence);
          log.headSequence = head.sequence;
          log.headHash = head.hash;
          // Full events are kept only while the window is small; beyond that a collision re-reads the
          // stream, so memory stays bounded even when the projection lags far behind.
          for (const { event } of chained) log.recent.set(event.id, log.recent.size < RECENT_EVENTS_KEPT ? { sequence: event.sequence, event } : { sequence: event.sequence });
          this.appended.emit('appended', log.tenantId, chained.map((c) => c.event));
        }
        plans.forEach((plan, i) => {
          if (plan.outcome === 'accepted') batch[i].resolve(receiptsOf(plan, chained));
          else if (plan.outcome === 'conflict') batch[i].reject(new IdempotencyConflictError(plan.id));
          else batch[i].reject(new AuditLogUnavailableError(`Event ${plan.id} cannot be compared with its recorded form (${plan.error.message}); nothing was recorded`, { cause: plan.error }));
        });
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
   * The recorded events that the batch's client ids name: from the recent window (appended, maybe not
   * yet projected; content re-read from the stream when not kept) and from the read model (one query).
   */
  private async recordedEventsNamedBy(log: TenantLog, batch: Submission[]): Promise<Map<string, StoredAuditEvent>> {
    await this.pruneProjected(log);
    const recorded = new Map<string, StoredAuditEvent>();
    const older = new Set<string>();
    for (const submission of batch) {
      for (const input of submission.inputs) {
        if (!input.id || recorded.has(input.id)) continue;
        const recent = await this.recentEvent(log, input.id);
        if (recent) recorded.set(input.id, recent);
        else older.add(input.id);
      }
    }
    for (const [id, event] of await this.repository.recordedEvents(log.tenantId, older)) recorded.set(id, event);
    return recorded;
  }

  /** Forgets recent events the read model has committed (they are found there from now on). */
  private async pruneProjected(log: TenantLog): Promise<void> {
    if (log.recent.size === 0) return;
    const projected = await this.repository.projectedHead(log.tenantId);
    if (!projected) return;
    for (const [id, entry] of log.recent) if (entry.sequence <= projected.sequence) log.recent.delete(id);
  }

  private async recentEvent(log: TenantLog, id: string): Promise<StoredAuditEvent | undefined> {
    const entry = log.recent.get(id);
    if (!entry) return undefined;
    if (!entry.event) {
      const [event] = await this.events.readStream(log.stream, { fromRevision: entry.sequence, maxCount: 1 });
      entry.event = event ? storedEventOf(event) : undefined;
    }
    return entry.event;
  }

  /** First use of a tenant (or after an error): head of the stream, and the not-yet-projected tail. */
  private async load(log: TenantLog): Promise<void> {
    const projected = await this.repository.projectedHead(log.tenantId);
    log.recent.clear();
    log.headSequence = projected ? projected.sequence : -1;
    log.headHash = projected ? projected.hash : GENESIS_HASH;
    if (projected) {
      const [atHead] = await this.events.readStream(log.stream, { fromRevision: projected.sequence, maxCount: 1 });
      if (!atHead || atHead.revision > projected.sequence) {
        // Events the read model has seen are gone from the stream (rows deleted underneath the store).
        // Recording goes on after the last known head, so the chain still proves they existed; verify names the gap.
        this.logger.error({ msg: 'events missing from the audit stream; chaining after the last projected head (GET /v1/integrity/verify reports the gap)', tenantId: log.tenantId, projectedHead: projected.sequence, nextInStream: atHead?.revision ?? null });
      } else if (storedEventOf(atHead).hash !== projected.hash) {
        throw new AuditLogUnavailableError(`Read model of tenant ${log.tenantId} disagrees with its stream at ${projected.sequence}`);
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
        const event = storedEventOf(recorded);
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

function toNewEvent({ event, json }: ChainedEvent): NewEvent {
  return { id: event.id, type: AUDIT_EVENT_RECORDED, data: { ...event }, serializedData: json, metadata: { tenantId: event.tenantId } };
}

/** The audit event a recorded `AuditEventRecorded` holds (its data is the stored event, ADR 007). */
function storedEventOf(recorded: RecordedEvent): StoredAuditEvent {
  return recorded.data as object as StoredAuditEvent;
}

import { Logger } from '@nestjs/common';
import { EventStore, Position, RecordedEvent } from '../event-store/event-store.port';
import { CheckpointConflictError, LeaseHeldError } from '../read-store/read-store.errors';
import { DEFAULT_LEASE_MS, ProjectionDefinition, ReadStore } from '../read-store/read-store.port';
import { CommitSignal } from './commit-signal';
import { inBatches } from './in-batches';
import { Projection } from './projection';
import { ProjectionBatch } from './projection-batch';
import { ProjectionRunnerView } from './projection-runner-view';

export interface ProjectionStatus {
  name: string;
  version: number;
  /** 'standby': another instance owns the projection (ADR 018); this one follows its checkpoint. */
  state: 'stopped' | 'catching-up' | 'live' | 'standby' | 'failing';
  /** Position of the last applied event (the stored checkpoint). */
  checkpoint: Position | null;
  /** Age of the oldest event received but not yet applied; 0 when idle. */
  lagMs: number;
  lastError: string | null;
  /** Events set aside because they cannot be applied (ADR 009); retried by a rebuild. */
  parkedCount: number;
  /** The first parked events (at most {@link PARKED_REPORTED}), oldest first. */
  parked: ParkedEvent[];
}

/** An event the projection could not apply, or held back behind one of its stream (ADR 009). */
export interface ParkedEvent {
  position: Position;
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  /** 'failed': applying it failed twice while the store worked; 'held': an earlier event of its stream is parked. */
  reason: 'failed' | 'held';
  error: string;
}

/** How many parked events a status carries (the count is always exact). */
export const PARKED_REPORTED = 20;

export interface ProjectionRunnerOptions {
  batchSize?: number;
  /** First retry delay after a failure; doubles up to 30 s. */
  retryDelayMs?: number;
  clock?: () => number;
  /** While live and idle, the lease is renewed this often (default a third of the default lease). */
  leaseRenewMs?: number;
  /** In standby, the owner's checkpoint is read this often (read-your-writes on this instance). */
  followPollMs?: number;
}

/**
 * Feeds one projection from the event store's global log (never from the in-memory EventBus):
 * catch-up from the stored checkpoint, then live, in batches; each batch's writes and the new
 * checkpoint are committed together.
 *
 * Failures (ADR 009): while the store cannot commit, the batch is retried with backoff. When the
 * store works but a batch fails, the failing event is isolated (the batch is bisected, so every other
 * event is applied), retried once, and then parked: recorded with its error in a companion
 * collection, in the same commit that moves the checkpoint past it. Later events of its stream are
 * parked as well unless the projection declares them independent. A rebuild retries everything.
 */
export class ProjectionRunner implements ProjectionRunnerView {
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly clock: () => number;
  private readonly leaseRenewMs: number;
  private readonly followPollMs: number;
  private renewing: Promise<void> = Promise.resolve();
  private leaseLost: Error | null = null;
  private position: Position | null = null;
  private state: ProjectionStatus['state'] = 'stopped';
  private applyingSince: number | null = null;
  private lastError: string | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private subscription: { close(): Promise<void> } | null = null;
  private wakeRetry: (() => void) | null = null;
  private readonly waiters = new Set<{ position: Position; resolve: () => void }>();
  private readonly committed = new CommitSignal();
  private readonly parking: ProjectionDefinition;
  private parked: ParkedEvent[] = [];
  private readonly heldStreams = new Set<string>();

  constructor(
    readonly projection: Projection,
    private readonly events: EventStore,
    private readonly store: ReadStore,
    options: ProjectionRunnerOptions = {},
  ) {
    this.logger = new Logger(`Projection:${projection.definition.name}`);
    // Large commits: each commit rewrites every index page it touched, so fewer, larger ones are cheaper.
    this.batchSize = options.batchSize ?? 10_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.clock = options.clock ?? Date.now;
    this.leaseRenewMs = options.leaseRenewMs ?? DEFAULT_LEASE_MS / 3;
    this.followPollMs = options.followPollMs ?? 200;
    this.parking = parkingDefinitionOf(projection.definition.name);
  }

  get name(): string {
    return this.projection.definition.name;
  }

  /** Creates collections/indexes and loads the checkpoint (rebuilding if the version changed). */
  async prepare(): Promise<void> {
    const prepared = await this.store.prepareProjection(this.projection.definition);
    this.position = prepared.position;
    if (prepared.rebuilt) {
      this.logger.log({ msg: 'projection version changed: rebuilding from the start', version: this.projection.definition.version });
    }
    // Starting from scratch (new, rebuilt, or reset midway): no event has been parked yet.
    if (this.position === null) await this.store.resetProjection(this.parking);
    await this.store.prepareProjection(this.parking);
    await this.loadParked();
  }

  /** Drops the projection's data, parked events and checkpoint; the next catch-up rebuilds it from the start. */
  async reset(): Promise<void> {
    await this.store.resetProjection(this.projection.definition);
    await this.store.resetProjection(this.parking);
    await this.prepare();
  }

  /** Starts the catch-up-then-live loop in the background. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRetry?.();
    await this.subscription?.close();
    await this.loop;
    this.loop = null;
    this.state = 'stopped';
    // Hands the projection over at once instead of when the lease expires.
    await this.store.releaseLease(this.name).catch(() => undefined);
  }

  /** Applies everything up to the current head and returns (CLI rebuilds, tests). */
  async catchUp(): Promise<number> {
    let applied = 0;
    for (;;) {
      const events = await this.events.readAll({
        after: this.position,
        filter: { streamPrefixes: this.projection.streamPrefixes },
        maxCount: this.batchSize,
      });
      if (events.length === 0) return applied;
      await this.applyBatch(events);
      applied += events.length;
    }
  }

  /** Resolves once an event at or after `position` has been applied (read-your-writes). */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.position !== null && this.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves after the next commit, or after `timeoutMs` (whichever comes first). */
  nextCommit(timeoutMs: number): Promise<void> {
    return this.committed.wait(timeoutMs);
  }

  status(): ProjectionStatus {
    return {
      name: this.name,
      version: this.projection.definition.version,
      state: this.state,
      checkpoint: this.position,
      lagMs: this.applyingSince === null ? 0 : Math.max(0, this.clock() - this.applyingSince),
      lastError: this.lastError,
      parkedCount: this.parked.length,
      parked: this.parked.slice(0, PARKED_REPORTED),
    };
  }

  private async run(): Promise<void> {
    let delay = this.retryDelayMs;
    while (!this.stopping) {
      try {
        this.state = 'catching-up';
        await this.catchUp();
        if (this.stopping) break;
        this.state = 'live';
        this.lastError = null;
        delay = this.retryDelayMs;
        const subscription = this.events.subscribeToAll({ after: this.position, filter: { streamPrefixes: this.projection.streamPrefixes } });
        this.subscription = subscription;
        this.leaseLost = null;
        const renewal = setInterval(() => this.renewWhileIdle(subscription), this.leaseRenewMs);
        try {
          for await (const batch of inBatches(subscription, this.batchSize)) {
            await this.applyBatch(batch);
            if (this.stopping) break;
          }
        } finally {
          clearInterval(renewal);
          await this.renewing;
        }
        if (this.leaseLost && !this.stopping) throw this.leaseLost;
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof LeaseHeldError) {
          this.state = 'standby';
          this.lastError = null;
          this.logger.log({ msg: 'another instance owns this projection; following its checkpoint', owner: error.owner, until: error.until.toISOString() });
          await this.follow(error.until);
          await this.loadParked().catch(() => undefined);
          continue;
        }
        if (error instanceof CheckpointConflictError) {
          // Another runner or a rebuild moved the checkpoint: resume from what is stored.
          this.position = (await this.store.getCheckpoint(this.name).catch(() => null))?.position ?? null;
          await this.loadParked().catch(() => undefined); // a rebuild also replaced the parked events
          if (this.position !== null) this.notifyCommitted(this.position); // another runner applied them
          this.logger.warn({ msg: 'checkpoint moved underneath this runner; resuming from the stored one', checkpoint: this.position });
          continue;
        }
        this.state = 'failing';
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.error({ msg: 'projection failed; retrying', error: this.lastError, checkpoint: this.position, retryInMs: delay });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        delay = Math.min(delay * 2, 30_000);
      } finally {
        await this.subscription?.close().catch(() => undefined);
        this.subscription = null;
        this.applyingSince = null;
      }
    }
  }

  /** Keeps the lease while no events arrive; losing it ends the live subscription (then standby). */
  private renewWhileIdle(subscription: { close(): Promise<void> }): void {
    if (this.applyingSince !== null || this.stopping) return;
    this.renewing = this.store.commit(this.name, this.position, this.position as Position, []).catch(async (error: unknown) => {
      if (error instanceof LeaseHeldError || error instanceof CheckpointConflictError) {
        this.leaseLost = error;
        await subscription.close().catch(() => undefined);
      }
    });
  }

  /**
   * Standby: reads the owner's checkpoint (so that waiters here see its commits) until the lease may
   * have expired or was released; then the caller tries to take it. Waits, never spins.
   */
  private async follow(until: Date): Promise<void> {
    let leaseUntil = until.getTime();
    while (!this.stopping && this.clock() < leaseUntil) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, Math.min(this.followPollMs, leaseUntil - this.clock())));
        this.wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const checkpoint = await this.store.getCheckpoint(this.name).catch(() => null);
      // No checkpoint: the owner (a rebuild) is between its reset and its prepare; wait on.
      if (!checkpoint) continue;
      if (!checkpoint.lease || checkpoint.lease.owner === this.store.owner) return;
      leaseUntil = checkpoint.lease.until.getTime();
      if (checkpoint.position !== null) {
        this.position = checkpoint.position;
        this.notifyCommitted(checkpoint.position);
      }
    }
  }

  private async applyBatch(events: RecordedEvent[]): Promise<void> {
    this.applyingSince = events[0].recordedAt.getTime();
    await this.renewing;
    try {
      await this.commitEvents(events);
    } catch (error) {
      await this.rethrowUnlessEventCaused(error);
      this.logger.warn({ msg: 'batch failed while the store works: isolating the failing event', error: messageOf(error), from: events[0].position, to: events[events.length - 1].position });
      await this.isolate(events);
    }
    this.applyingSince = null;
  }

  /** Applies `events` by halves, so that only the events that fail on their own get parked. */
  private async isolate(events: RecordedEvent[]): Promise<void> {
    if (events.length === 1) return this.retryOrPark(events[0]);
    const middle = Math.ceil(events.length / 2);
    for (const half of [events.slice(0, middle), events.slice(middle)]) {
      try {
        await this.commitEvents(half);
      } catch (error) {
        await this.rethrowUnlessEventCaused(error);
        await this.isolate(half);
      }
    }
  }

  private async retryOrPark(event: RecordedEvent): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, this.retryDelayMs));
    try {
      await this.commitEvents([event]);
    } catch (error) {
      await this.rethrowUnlessEventCaused(error);
      await this.park(event, 'failed', messageOf(error));
    }
  }

  /**
   * A failure is blamed on the events only when the store can commit right now and the error is not
   * one of a busy or unreachable store; otherwise it propagates (retry with backoff, nothing parked).
   */
  private async rethrowUnlessEventCaused(error: unknown): Promise<void> {
    if (error instanceof CheckpointConflictError || isTransientStoreError(error)) throw error;
    try {
      // Moves the checkpoint from where it is to where it is (null included): a write that touches no data.
      await this.store.commit(this.name, this.position, this.position as Position, []);
    } catch {
      throw error;
    }
  }

  private async commitEvents(events: RecordedEvent[]): Promise<void> {
    // A rebuild elsewhere may have applied what this runner holds (its checkpoint can end where ours is).
    if (events.some((e) => this.heldStreams.has(e.stream))) await this.loadParked();
    const writer = new ProjectionBatch(this.store);
    const parked: ParkedEvent[] = [];
    for (const event of events) {
      writer.at(event.position);
      if (this.heldStreams.has(event.stream)) parked.push(await this.parkInto(writer, event, 'held', `held: an earlier event of ${event.stream} is parked`));
      else await this.projection.apply(event, writer);
    }
    await this.commitWrites(events[events.length - 1].position, writer, parked);
  }

  private async park(event: RecordedEvent, reason: ParkedEvent['reason'], error: string): Promise<void> {
    let writer = new ProjectionBatch(this.store);
    writer.at(event.position);
    let record: ParkedEvent;
    try {
      record = await this.parkInto(writer, event, reason, error);
    } catch (hookError) {
      this.logger.error({ msg: 'the projection could not record a parked event in its read model', position: event.position, error: messageOf(hookError) });
      writer = new ProjectionBatch(this.store);
      writer.at(event.position);
      record = parkedRecord(event, reason, error);
      writer.put(this.parking.collections[0].name, { id: record.position, ...record });
    }
    await this.commitWrites(event.position, writer, [record]);
  }

  /** The parked record and the projection's fail-closed writes for it, into `writer`. */
  private async parkInto(writer: ProjectionBatch, event: RecordedEvent, reason: ParkedEvent['reason'], error: string): Promise<ParkedEvent> {
    await this.projection.parked?.(event, error, writer);
    const record = parkedRecord(event, reason, error);
    writer.put(this.parking.collections[0].name, { id: record.position, ...record });
    return record;
  }

  private async commitWrites(last: Position, writer: ProjectionBatch, parked: ParkedEvent[]): Promise<void> {
    await this.store.commit(this.name, this.position, last, writer.operations());
    this.position = last;
    for (const record of parked) {
      this.parked.push(record);
      if ((this.projection.afterParked ?? 'hold-stream') === 'hold-stream') this.heldStreams.add(record.stream);
      if (record.reason === 'failed') {
        this.logger.error({ msg: 'event parked: it cannot be applied; later events go on (rebuild to retry)', ...record });
      }
    }
    this.notifyCommitted(last);
  }

  private notifyCommitted(last: Position): void {
    for (const waiter of this.waiters) if (waiter.position <= last) waiter.resolve();
    this.committed.notify();
  }

  private async loadParked(): Promise<void> {
    const docs = await this.store.find(this.parking.collections[0].name, {}, { sort: [['id', 1]] });
    this.parked = docs.map(({ id: _id, ...record }) => record as unknown as ParkedEvent);
    this.heldStreams.clear();
    if ((this.projection.afterParked ?? 'hold-stream') === 'hold-stream') this.parked.forEach((p) => this.heldStreams.add(p.stream));
  }
}

/**
 * Each projection's parked events live in a companion collection, prepared and reset with it, and
 * written in the same commits as its checkpoint (crash safety as for its own documents).
 */
function parkingDefinitionOf(projection: string): ProjectionDefinition {
  return { name: `${projection}.parked`, version: 1, collections: [{ name: `parked_${projection}`, fields: { stream: 'string' }, indexes: [] }] };
}

function parkedRecord(event: RecordedEvent, reason: ParkedEvent['reason'], error: string): ParkedEvent {
  return { position: event.position, stream: event.stream, revision: event.revision, eventId: event.id, type: event.type, reason, error: error.slice(0, 500) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|READONLY|PROTOCOL|INTERRUPT|NOTADB|CORRUPT)/;

/** Errors of a busy, full or unreachable store: never the fault of the events being applied. */
function isTransientStoreError(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; errorLabels?: unknown; hasErrorLabel?: (label: string) => boolean };
  if (typeof e?.code === 'string' && TRANSIENT_SQLITE.test(e.code)) return true;
  if (typeof e?.name === 'string' && /^Mongo(Network|ServerSelection|NotConnected|Timeout|TopologyClosed)/.test(e.name)) return true;
  return typeof e?.hasErrorLabel === 'function' && (e.hasErrorLabel('TransientTransactionError') || e.hasErrorLabel('RetryableWriteError'));
}

import { Logger } from '@nestjs/common';
import { EventStore, Position, RecordedEvent } from '../event-store/event-store.port';
import { CheckpointConflictError } from '../read-store/read-store.errors';
import { ReadStore } from '../read-store/read-store.port';
import { CommitSignal } from './commit-signal';
import { inBatches } from './in-batches';
import { Projection } from './projection';
import { ProjectionBatch } from './projection-batch';
import { ProjectionRunnerView } from './projection-runner-view';

export interface ProjectionStatus {
  name: string;
  version: number;
  state: 'stopped' | 'catching-up' | 'live' | 'failing';
  /** Position of the last applied event (the stored checkpoint). */
  checkpoint: Position | null;
  /** Age of the oldest event received but not yet applied; 0 when idle. */
  lagMs: number;
  lastError: string | null;
}

export interface ProjectionRunnerOptions {
  batchSize?: number;
  /** First retry delay after a failure; doubles up to 30 s. */
  retryDelayMs?: number;
  clock?: () => number;
}

/**
 * Feeds one projection from the event store's global log (never from the in-memory EventBus):
 * catch-up from the stored checkpoint, then live, in batches; each batch's writes and the new
 * checkpoint are committed together. A failing event is retried with backoff, never skipped.
 */
export class ProjectionRunner implements ProjectionRunnerView {
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly clock: () => number;
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
  }

  /** Drops the projection's data and checkpoint; the next catch-up rebuilds it from the start. */
  async reset(): Promise<void> {
    await this.store.resetProjection(this.projection.definition);
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
        for await (const batch of inBatches(subscription, this.batchSize)) {
          await this.applyBatch(batch);
          if (this.stopping) break;
        }
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof CheckpointConflictError) {
          // Another runner or a rebuild moved the checkpoint: resume from what is stored.
          this.position = (await this.store.getCheckpoint(this.name).catch(() => null))?.position ?? null;
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

  private async applyBatch(events: RecordedEvent[]): Promise<void> {
    this.applyingSince = events[0].recordedAt.getTime();
    const writer = new ProjectionBatch(this.store);
    for (const event of events) {
      writer.at(event.position);
      await this.projection.apply(event, writer);
    }
    const last = events[events.length - 1].position;
    await this.store.commit(this.name, this.position, last, writer.operations());
    this.position = last;
    this.applyingSince = null;
    for (const waiter of this.waiters) if (waiter.position <= last) waiter.resolve();
    this.committed.notify();
  }
}

import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config.token';
import { AppConfig } from '../../config/app-config';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { matchesFilter } from '../../read-store/filter-matcher';
import { Filter } from '../../read-store/read-store.port';
import { AuditEventDocument, toStoredEvent } from '../audit-log.read-model';
import { AuditLogReader } from './audit-log-reader';

/** Sequences examined per read of a tail, however few of them match. */
const TAIL_WINDOW = 500;

/** One live tail (an SSE connection) as the hub sees it. */
export interface TailSubscriber {
  readonly filter: Filter;
  /** Last sequence this subscriber has been given or has looked past. */
  cursor: number;
  /** Writes SSE frames (one or more, whole); false once the connection is gone. */
  write(frames: string | Buffer): boolean;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  /** Ends the stream, with a last frame when there is something to say (a problem, a reason to reconnect). */
  end(lastFrame?: string): void;
}

export interface LiveTailLimits {
  heartbeatMs: number;
  idleTimeoutMs: number;
  /** A subscriber with more unread bytes than this is ended (it reconnects with Last-Event-ID). */
  maxBufferedBytes: number;
}

interface Follower {
  subscriber: TailSubscriber;
  lastSentAt: number;
  done: () => void;
}

/** The shared reader of one tenant's log: one read per commit for every live tail of the tenant. */
interface TenantTail {
  tenantId: string;
  cursor: number;
  followers: Set<Follower>;
}

export const SSE_RETRY_MS = 2000;

/** The SSE frame of a stored event: built once per event, written to every subscriber it matches. */
export function eventFrame(doc: AuditEventDocument): string {
  return `id: ${doc.sequence}\nevent: audit-event\ndata: ${JSON.stringify(toStoredEvent(doc))}\n\n`;
}

/**
 * One fan-out for every live tail of the process (ADR 021). Per tenant with open tails, one loop reads
 * each newly committed window of the log once, then hands every event to the tails whose filter it
 * matches (in memory, `matchesFilter`). A tail that opens behind the shared cursor (Last-Event-ID)
 * catches up on its own reads first and joins without a gap or a repeat. A slow client never holds the
 * others back: past `maxBufferedBytes` unread it is ended and reconnects where it stopped.
 */
@Injectable()
export class LiveTailHub implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveTails');
  private readonly tails = new Map<string, TenantTail>();
  private readonly limits: LiveTailLimits;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly reader: AuditLogReader,
    private readonly scheduler: CooperativeScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = config.streams;
    this.heartbeat = setInterval(() => this.beat(), Math.min(this.limits.heartbeatMs, this.limits.idleTimeoutMs));
    this.heartbeat.unref();
  }

  /** Number of open tails (health, tests). */
  get size(): number {
    let n = 0;
    for (const tail of this.tails.values()) n += tail.followers.size;
    return n;
  }

  /**
   * Streams the tenant's events after `subscriber.cursor` that match its filter, until the connection
   * closes (`closed`) or the hub ends it. Resolves when the subscriber is done.
   */
  async follow(tenantId: string, subscriber: TailSubscriber, closed: Promise<void>): Promise<void> {
    let gone = false;
    void closed.then(() => (gone = true));
    const tail = await this.tailOf(tenantId);
    // Catch up on its own reads until level with the shared cursor (which may move meanwhile).
    const slice = this.scheduler.slice();
    while (!gone && subscriber.cursor < tail.cursor) {
      const upTo = Math.min(tail.cursor, subscriber.cursor + TAIL_WINDOW);
      const docs = await this.reader.between(subscriber.filter, subscriber.cursor, upTo);
      if (docs.length > 0) subscriber.write(docs.map(eventFrame).join(''));
      subscriber.cursor = upTo;
      while (!gone && subscriber.buffered() > this.limits.maxBufferedBytes) await closedOrDrained(closed);
      await slice.pause();
    }
    if (gone || this.closed) return;
    // No await between the check above and joining: the tail hands it only events after its cursor.
    await new Promise<void>((resolve) => {
      const follower: Follower = { subscriber, lastSentAt: Date.now(), done: resolve };
      tail.followers.add(follower);
      void closed.then(() => this.leave(tail, follower));
    });
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const tail of this.tails.values()) for (const follower of tail.followers) this.leave(tail, follower, '');
  }

  private async tailOf(tenantId: string): Promise<TenantTail> {
    const existing = this.tails.get(tenantId);
    if (existing) return existing;
    const head = (await this.reader.head(tenantId))?.headSequence ?? -1;
    const raced = this.tails.get(tenantId);
    if (raced) return raced;
    const tail: TenantTail = { tenantId, cursor: head, followers: new Set() };
    this.tails.set(tenantId, tail);
    void this.run(tail);
    return tail;
  }

  /** The tenant's loop: runs while the tenant has tails (or some are still catching up to join). */
  private async run(tail: TenantTail): Promise<void> {
    const slice = this.scheduler.slice();
    let idleRounds = 0;
    try {
      while (!this.closed) {
        if (tail.followers.size === 0) {
          // Tails that are catching up join within a few rounds; after that the tenant's loop stops.
          if (++idleRounds > 3) break;
        } else idleRounds = 0;
        const tenantHead = await this.reader.head(tail.tenantId);
        // A tail must never skip an event silently: events that could not be projected end every tail.
        await this.reader.assertComplete(tail.tenantId, tenantHead);
        const head = tenantHead?.headSequence ?? -1;
        const upTo = Math.min(head, tail.cursor + TAIL_WINDOW);
        if (upTo > tail.cursor) {
          const docs = await this.reader.between({ tenantId: tail.tenantId }, tail.cursor, upTo);
          this.dispatch(tail, docs, upTo);
        }
        if (upTo < head) {
          await slice.pause();
          continue;
        }
        await this.reader.nextCommit(1000);
      }
    } catch (error) {
      this.logger.error({ msg: 'live tails of a tenant failed: problem event sent, connections closed', tenantId: tail.tenantId, error: error instanceof Error ? error.message : String(error) });
      const problem = problemOf(error);
      for (const follower of tail.followers) this.leave(tail, follower, `event: problem\ndata: ${JSON.stringify(problem)}\n\n`);
    } finally {
      if (this.tails.get(tail.tenantId) === tail) this.tails.delete(tail.tenantId);
      // Tails still attached (shutdown) are ended; one that joins after this point gets a new loop.
      for (const follower of tail.followers) this.leave(tail, follower, '');
    }
  }

  /**
   * Synchronous: nothing can join or leave while a window is handed out. Each subscriber gets its
   * events of the window in one write; subscribers that take every event of it share one buffer
   * (1,000 tails at 1,000 events/s would otherwise be a million socket writes a second).
   */
  private dispatch(tail: TenantTail, docs: AuditEventDocument[], upTo: number): void {
    const frames = new Map<AuditEventDocument, string>();
    const frameOf = (doc: AuditEventDocument): string => {
      let frame = frames.get(doc);
      if (frame === undefined) frames.set(doc, (frame = eventFrame(doc)));
      return frame;
    };
    let wholeWindow: Buffer | null = null;
    const now = Date.now();
    for (const follower of tail.followers) {
      const { subscriber } = follower;
      const taken = docs.filter((doc) => doc.sequence > subscriber.cursor && matchesFilter(doc, subscriber.filter));
      if (taken.length === docs.length && taken.length > 0) {
        subscriber.write((wholeWindow ??= Buffer.from(docs.map(frameOf).join(''))));
        follower.lastSentAt = now;
      } else if (taken.length > 0) {
        subscriber.write(taken.map(frameOf).join(''));
        follower.lastSentAt = now;
      }
      subscriber.cursor = Math.max(subscriber.cursor, upTo);
      if (subscriber.buffered() > this.limits.maxBufferedBytes) {
        this.leave(tail, follower, `: too far behind; reconnect with Last-Event-ID ${subscriber.cursor}\n\n`);
      }
    }
    tail.cursor = upTo;
  }

  private beat(): void {
    const now = Date.now();
    for (const tail of this.tails.values()) {
      for (const follower of tail.followers) {
        if (now - follower.lastSentAt >= this.limits.idleTimeoutMs) {
          this.leave(tail, follower, `: idle for ${Math.round(this.limits.idleTimeoutMs / 1000)} s; reconnect with Last-Event-ID ${follower.subscriber.cursor}\n\n`);
        } else if (!follower.subscriber.write(': keep-alive\n\n')) {
          this.leave(tail, follower);
        }
      }
    }
  }

  private leave(tail: TenantTail, follower: Follower, lastFrame?: string): void {
    if (!tail.followers.delete(follower)) return;
    if (lastFrame !== undefined) follower.subscriber.end(lastFrame || undefined);
    follower.done();
  }
}

async function closedOrDrained(closed: Promise<void>): Promise<void> {
  await Promise.race([closed, new Promise((r) => setTimeout(r, 50))]);
}

function problemOf(error: unknown): object {
  const response = (error as { getResponse?: () => unknown }).getResponse?.();
  if (response && typeof response === 'object' && (error as { getStatus?: () => number }).getStatus?.() === 500) return response;
  return { type: 'https://problems.audit-trail.dev/internal-error', title: 'Internal Server Error', status: 500, detail: 'The live tail cannot go on; it has been logged.' };
}

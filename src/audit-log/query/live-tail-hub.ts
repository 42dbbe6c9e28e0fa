import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config.token';
import { AppConfig } from '../../config/app-config';
import { CooperativeScheduler, ReadSlice } from '../../read-limits/cooperative-scheduler';
import { WriteTurns } from '../../read-limits/write-turns';
import { matchesFilter } from '../../read-store/filter-matcher';
import { Filter } from '../../read-store/read-store.port';
import { TenantFanOut } from '../../streaming/tenant-fan-out';
import { AuditEventDocument } from '../audit-log.read-model';
import { AuditLogReader, AuditLogRecord } from './audit-log-reader';

/** Sequences examined per read of a tail, however few of them match. */
const TAIL_WINDOW = 500;

/**
 * Events of a tenant's recent windows kept in memory with their serialised frames: a tail whose client
 * fell behind (its socket buffer full) resumes from them when it drains, from shared buffers, without
 * a reconnect or a read. Behind by more than this (plus its socket buffer), it is ended and resumes by
 * reconnecting with Last-Event-ID.
 */
const RECENT_EVENTS = 5000;

/** One live tail (an SSE connection) as the hub sees it. */
export interface TailSubscriber {
  readonly filter: Filter;
  /** Last sequence this subscriber has been given or has looked past. */
  cursor: number;
  /** Writes SSE frames (one or more, whole); false once the connection is gone. */
  write(frames: string | Buffer): boolean;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  /** Calls `listener` once, when the client has taken what was buffered. */
  onDrain(listener: () => void): void;
  /** Ends the stream, with a last frame when there is something to say (a problem, a reason to reconnect). */
  end(lastFrame?: string): void;
}

export interface LiveTailLimits {
  heartbeatMs: number;
  idleTimeoutMs: number;
  /** A subscriber with more unread bytes than this gets nothing more until it drains. */
  maxBufferedBytes: number;
}

interface Follower {
  subscriber: TailSubscriber;
  /** Followers with equal keys take the same events of a window (`dispatch` matches once per key). */
  filterKey: string;
  lastSentAt: number;
  /** Its socket buffer is full: it is given more when the client drains it. */
  awaitingDrain: boolean;
  done: () => void;
}

/** Sequences (after, upTo] of a tenant's log as read once for all of its tails. */
interface Window {
  after: number;
  upTo: number;
  docs: AuditLogRecord[];
  /** SSE frames of the docs (by index), serialised on first use. */
  frames: Array<string | undefined>;
  /** The frames a filter takes from the whole window (null: none), built once per filter key. */
  byFilter: Map<string, Buffer | null>;
}

/** The shared reader of one tenant's log: one read per commit for every live tail of the tenant. */
interface TenantTail {
  tenantId: string;
  cursor: number;
  followers: Set<Follower>;
  /** The latest windows, contiguous and ending at `cursor`, covering at most RECENT_EVENTS events. */
  recent: Window[];
  recentEvents: number;
  /** Time budget of the tenant's loop between turns of the event loop. */
  slice: ReadSlice;
}

export const SSE_RETRY_MS = 2000;

/** The SSE frame of a stored event: built once per event, written to every subscriber it matches. */
export function eventFrame({ entry, json }: AuditLogRecord): string {
  return `id: ${entry.sequence}\nevent: audit-event\ndata: ${json}\n\n`;
}

/**
 * One fan-out for every live tail of the process (ADR 021). Per tenant with open tails, one loop reads
 * each newly committed window of the log once, then hands it to every tail: matched (in memory,
 * `matchesFilter`) and serialised once per distinct filter. A tail that opens behind the recent windows
 * (Last-Event-ID) catches up on its own reads first and joins without a gap or a repeat. A slow client
 * never holds the others back: with `maxBufferedBytes` unread it is skipped until it drains, then
 * resumes from the recent windows; fallen behind them, it is ended and reconnects where it stopped.
 */
@Injectable()
export class LiveTailHub extends TenantFanOut<Follower, TenantTail> {
  private readonly logger = new Logger('LiveTails');
  private readonly limits: LiveTailLimits;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly reader: AuditLogReader,
    private readonly scheduler: CooperativeScheduler,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.limits = config.streams;
    this.heartbeat = setInterval(() => this.beat(), Math.min(this.limits.heartbeatMs, this.limits.idleTimeoutMs));
    this.heartbeat.unref();
  }

  /**
   * Streams the tenant's events after `subscriber.cursor` that match its filter, until the connection
   * closes (`closed`) or the hub ends it. Resolves when the subscriber is done.
   */
  async follow(tenantId: string, subscriber: TailSubscriber, closed: Promise<void>): Promise<void> {
    let gone = false;
    void closed.then(() => (gone = true));
    const tail = await this.tailOf(tenantId);
    // Catch up on its own reads until it reaches the recent windows held in memory (which move meanwhile).
    const slice = this.scheduler.slice();
    while (!gone && subscriber.cursor < recentStart(tail)) {
      const upTo = Math.min(recentStart(tail), subscriber.cursor + TAIL_WINDOW);
      const docs = await this.reader.between(subscriber.filter, subscriber.cursor, upTo);
      if (docs.length > 0) subscriber.write(docs.map(eventFrame).join(''));
      subscriber.cursor = upTo;
      while (!gone && subscriber.buffered() > this.limits.maxBufferedBytes) await closedOrDrained(closed);
      await slice.pause();
    }
    if (gone || this.closed) return;
    // No await between the check above and joining: the rest comes from the recent windows, then live.
    await new Promise<void>((resolve) => {
      const follower: Follower = { subscriber, filterKey: JSON.stringify(subscriber.filter), lastSentAt: Date.now(), awaitingDrain: false, done: resolve };
      tail.followers.add(follower);
      void closed.then(() => this.leave(tail, follower));
      this.pump(tail, follower);
    });
  }

  override onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    super.onApplicationShutdown();
  }

  protected async createTail(tenantId: string): Promise<TenantTail> {
    const head = (await this.reader.head(tenantId))?.headSequence ?? -1;
    return { tenantId, cursor: head, followers: new Set(), recent: [], recentEvents: 0, slice: this.scheduler.slice() };
  }

  protected async round(tail: TenantTail): Promise<void> {
    const tenantHead = await this.reader.head(tail.tenantId);
    // A tail must never skip an event silently: events that could not be projected end every tail.
    await this.reader.assertComplete(tail.tenantId, tenantHead);
    const head = tenantHead?.headSequence ?? -1;
    const cursorBefore = tail.cursor;
    const upTo = Math.min(head, cursorBefore + TAIL_WINDOW);
    if (upTo > cursorBefore) {
      const docs = await this.reader.between({ tenantId: tail.tenantId }, cursorBefore, upTo);
      // The next window is read once this one is handed out: the hub never outruns its own writes.
      await this.dispatch(tail, docs, upTo);
      // Handing out took turns of the loop: look at the head again rather than wait for a commit.
      await tail.slice.pause();
      return;
    }
    await this.reader.nextCommit(1000);
  }

  protected failed(tail: TenantTail, error: unknown): string {
    this.logger.error({ msg: 'live tails of a tenant failed: problem event sent, connections closed', tenantId: tail.tenantId, error: error instanceof Error ? error.message : String(error) });
    return `event: problem\ndata: ${JSON.stringify(problemOf(error))}\n\n`;
  }

  /**
   * Hands a new window to every follower, a turn of the event loop at a time. A follower that joins
   * meanwhile is pumped as it joins; one that leaves is skipped; the tail's cursor does not move until
   * the next window.
   */
  private async dispatch(tail: TenantTail, docs: AuditLogRecord[], upTo: number): Promise<void> {
    tail.recent.push({ after: tail.cursor, upTo, docs, frames: [], byFilter: new Map() });
    tail.recentEvents += docs.length;
    while (tail.recentEvents > RECENT_EVENTS && tail.recent.length > 1) tail.recentEvents -= tail.recent.shift()!.docs.length;
    tail.cursor = upTo;
    const turns = new WriteTurns();
    for (const follower of [...tail.followers]) {
      if (!tail.followers.has(follower)) continue;
      if (turns.add(this.pump(tail, follower))) await turns.nextTurn();
    }
  }

  /**
   * Writes the follower's part of every recent window after its cursor, one write per window, until it
   * is level or its socket buffer is full (then again when it drains). A window is matched and
   * serialised once per distinct filter: followers with equal filters share one buffer, so 1,000 tails
   * at 1,000 events/s are not a million filter evaluations and frame copies a second.
   */
  private pump(tail: TenantTail, follower: Follower): number {
    const { subscriber } = follower;
    let written = 0;
    while (!follower.awaitingDrain && subscriber.cursor < tail.cursor) {
      const window = windowHolding(tail.recent, subscriber.cursor + 1);
      if (!window) {
        this.leave(tail, follower, `: too far behind; reconnect with Last-Event-ID ${subscriber.cursor}\n\n`);
        return written;
      }
      // Most windows hold nothing for most tails (every tail opening adds its own self-audit event):
      // passing them over must cost a map lookup, not a look at the socket.
      const frames = subscriber.cursor === window.after ? sharedFrames(window, follower) : ownFrames(window, subscriber);
      if (frames) {
        if (subscriber.buffered() > this.limits.maxBufferedBytes) {
          follower.awaitingDrain = true;
          subscriber.onDrain(() => {
            follower.awaitingDrain = false;
            if (tail.followers.has(follower)) this.pump(tail, follower);
          });
          return written;
        }
        subscriber.write(frames);
        follower.lastSentAt = Date.now();
        written += frames.length;
      }
      subscriber.cursor = window.upTo;
    }
    return written;
  }


  private beat(): void {
    const now = Date.now();
    for (const tail of this.openTails()) {
      for (const follower of tail.followers) {
        if (now - follower.lastSentAt >= this.limits.idleTimeoutMs) {
          this.leave(tail, follower, `: idle for ${Math.round(this.limits.idleTimeoutMs / 1000)} s; reconnect with Last-Event-ID ${follower.subscriber.cursor}\n\n`);
        } else if (!follower.awaitingDrain && !follower.subscriber.write(': keep-alive\n\n')) {
          this.leave(tail, follower);
        }
      }
    }
  }
}

/** First sequence not held in the recent windows' range: tails behind it catch up by reading. */
function recentStart(tail: TenantTail): number {
  return tail.recent.length > 0 ? tail.recent[0].after : tail.cursor;
}

/** The recent window whose range holds `sequence` (windows are contiguous and ordered), if any. */
function windowHolding(recent: Window[], sequence: number): Window | undefined {
  const newest = recent[recent.length - 1];
  if (newest && sequence > newest.after && sequence <= newest.upTo) return newest; // a tail level with the others
  let low = 0;
  let high = recent.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const window = recent[middle];
    if (sequence <= window.after) high = middle - 1;
    else if (sequence > window.upTo) low = middle + 1;
    else return window;
  }
  return undefined;
}

function frameAt(window: Window, index: number): string {
  return (window.frames[index] ??= eventFrame(window.docs[index]));
}

/** `take` decides on the index entry: the filters are those of the read model (sortKey included). */
function framesOf(window: Window, take: (entry: AuditEventDocument) => boolean): Buffer | null {
  let joined = '';
  for (let i = 0; i < window.docs.length; i++) if (take(window.docs[i].entry)) joined += frameAt(window, i);
  return joined === '' ? null : Buffer.from(joined);
}

/** The whole window's frames for the follower's filter, shared by every follower with that filter. */
function sharedFrames(window: Window, follower: Follower): Buffer | null {
  let frames = window.byFilter.get(follower.filterKey);
  if (frames === undefined) {
    frames = framesOf(window, (doc) => matchesFilter(doc, follower.subscriber.filter));
    window.byFilter.set(follower.filterKey, frames);
  }
  return frames;
}

/** A follower whose cursor is inside the window (it resumed from a Last-Event-ID there): its own part. */
function ownFrames(window: Window, subscriber: TailSubscriber): Buffer | null {
  return framesOf(window, (doc) => doc.sequence > subscriber.cursor && matchesFilter(doc, subscriber.filter));
}

async function closedOrDrained(closed: Promise<void>): Promise<void> {
  await Promise.race([closed, new Promise((r) => setTimeout(r, 50))]);
}

function problemOf(error: unknown): object {
  const response = (error as { getResponse?: () => unknown }).getResponse?.();
  if (response && typeof response === 'object' && (error as { getStatus?: () => number }).getStatus?.() === 500) return response;
  return { type: 'https://problems.audit-trail.dev/internal-error', title: 'Internal Server Error', status: 500, detail: 'The live tail cannot go on; it has been logged.' };
}

import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { openMappedReader } from '../../sqlite/mapped-reader';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidTruncationError } from '../event-store.errors';
import {
  AllFilter,
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RevisionData,
} from '../event-store.port';
import { EVENT_DELETE_TRIGGER_MIGRATION, EVENT_STORE_SCHEMA } from './sqlite-event-store.schema';
import { AppendOutcome, categoryOf, SET_CATEGORY_HEAD_SQL } from './sqlite-appends';
import { decodeSqlitePosition, encodeSqlitePosition } from './sqlite-position';
import { InlineSqliteWriter, SqliteWriter, ThreadSqliteWriter } from './sqlite-writer';

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' (tests only: not durable). */
  file: string;
  /** How often a live subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  clock?: () => Date;
  /**
   * MiB of the file that bulk reads (`readRevisions` with `bulk`, e.g. an export) read through a
   * memory map, on a connection of their own (ADR 032). Default 0: bulk reads are plain reads.
   */
  mmapMiB?: number;
  /**
   * Commit on a writer thread with a connection of its own (ADR 033), so that a slow fsync does not
   * block the calling thread. File stores only; default false (writes on the calling thread).
   */
  writerThread?: boolean;
}

const PAGE_SIZE = 1000;
/** One index seek per revision; the list is passed as JSON (json_each) so that one statement serves any count. */
const READ_REVISIONS_SQL = `SELECT revision, type, data AS json FROM events
  WHERE stream = ? AND revision IN (SELECT value FROM json_each(?))
    AND revision >= COALESCE((SELECT before_revision FROM retention_horizons WHERE stream = ?), 0)
  ORDER BY revision ASC`;
/** Revisions per statement of readRevisions (bounds the JSON list SQLite parses). */
const REVISIONS_PER_READ = 1000;
/** A filter's streams are read directly when they hold at most 1/this of the log still to scan. */
const SPARSE_FILTER_RATIO = 8;
/** ... and when at least this many positions are left to scan. */
const SPARSE_MIN_GAP = 10_000;
/** Rows deleted per transaction when a stream is truncated: writers are never blocked for long. */
const TRUNCATE_BATCH = 1000;

/** An append waiting for the next group commit. */
interface QueuedAppend {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** A group commit this slow is logged (from the append to its answer, fsync included). */
const SLOW_COMMIT_MS = 100;

/**
 * Embedded event store on better-sqlite3: WAL journal, synchronous=FULL (an append that returned is
 * on disk), append-only table enforced by triggers. Appends requested in the same burst of synchronous
 * code and promise continuations share one transaction, hence one fsync (group commit); each runs in a
 * savepoint of its own, so one that fails (wrong expected revision) fails alone. Commits run on the
 * calling thread or, with `writerThread`, on a thread of their own (ADR 033); reads always run here.
 */
export class SqliteEventStore implements EventStore {
  private readonly logger = new Logger('SqliteEventStore');
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly clock: () => Date;
  private readonly statements;
  private closed = false;
  private queuedAppends: QueuedAppend[] = [];
  /** The group commit in flight, if any: appends made meanwhile wait for it and form the next group. */
  private committing: Promise<void> | null = null;
  private readonly writer: SqliteWriter;
  private readonly file: string;
  private readonly mmapMiB: number;
  /** The memory-mapped connection of bulk reads, opened on first use. */
  private bulk: { db: Database.Database; readRevisions: Database.Statement<[string, string, string], RevisionData> } | null = null;
  /** One SQLite transaction has no practical size limit; the writers' own batch limits apply. */
  readonly maxAppendBytes = Number.POSITIVE_INFINITY;

  constructor(options: SqliteEventStoreOptions) {
    if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.file = options.file;
    this.mmapMiB = options.file === ':memory:' ? 0 : (options.mmapMiB ?? 0);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(EVENT_STORE_SCHEMA);
    this.db.transaction(() => this.db.exec(EVENT_DELETE_TRIGGER_MIGRATION)).immediate();
    this.appended.setMaxListeners(0);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.clock = options.clock ?? (() => new Date());
    this.statements = {
      newestStreamHead: this.db.prepare<[], { position: number | null }>('SELECT MAX(head_position) AS position FROM streams'),
      newestCategoryHead: this.db.prepare<[], { position: number | null }>('SELECT MAX(head_position) AS position FROM stream_categories'),
      setCategoryHead: this.db.prepare(SET_CATEGORY_HEAD_SQL),
      readForwards: this.db.prepare<[string, number, string, number], EventRow>(
        'SELECT * FROM events WHERE stream = ? AND revision >= MAX(?, COALESCE((SELECT before_revision FROM retention_horizons WHERE stream = ?), 0)) ORDER BY revision ASC LIMIT ?',
      ),
      readRevisions: this.db.prepare<[string, string, string], RevisionData>(READ_REVISIONS_SQL),
      horizon: this.db.prepare<[string], { before: number }>('SELECT before_revision AS before FROM retention_horizons WHERE stream = ?'),
      readBackwards: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
      readAll: this.db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
      scanStreams: this.db.prepare<[number, number], { position: number; stream: string }>(
        'SELECT position, stream FROM events WHERE position > ? ORDER BY position ASC LIMIT ?',
      ),
      readRange: this.db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE position > ? AND position <= ? ORDER BY position ASC'),
      readAt: this.db.prepare<[number], EventRow>('SELECT * FROM events WHERE position = ?'),
      readStreamAfterPosition: this.db.prepare<[string, number, number], EventRow>('SELECT * FROM events WHERE stream = ? AND position > ? ORDER BY revision ASC LIMIT ?'),
      head: this.db.prepare<[], { position: number | null }>('SELECT MAX(position) AS position FROM events'),
    };
    this.db.transaction(() => this.backfillStreamCategories()).immediate();
    this.writer = options.writerThread && options.file !== ':memory:' ? new ThreadSqliteWriter(options.file) : new InlineSqliteWriter(this.db);
  }

  append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    return new Promise((resolve, reject) => {
      // A microtask, not a later loop turn: appends issued by the same burst of promise continuations
      // (e.g. notifications published together) join, and a lone append waits for no other I/O.
      if (this.queuedAppends.length === 0) queueMicrotask(() => void this.commitQueuedAppends());
      this.queuedAppends.push({ stream, events, expectedRevision, resolve, reject });
    });
  }

  /**
   * The group commit: every queued append in one transaction, each in a savepoint; answers after the
   * commit. One commit at a time: appends queued while one is in flight form the next group.
   */
  private commitQueuedAppends(): Promise<void> {
    if (this.committing || this.queuedAppends.length === 0) return this.committing ?? Promise.resolve();
    const queued = this.queuedAppends;
    this.queuedAppends = [];
    this.committing = this.commit(queued).finally(() => {
      this.committing = null;
      if (this.queuedAppends.length > 0) void this.commitQueuedAppends();
    });
    return this.committing;
  }

  private async commit(queued: QueuedAppend[]): Promise<void> {
    let outcomes: AppendOutcome[];
    const started = performance.now();
    try {
      // Serialised here (recordedAt from this store's clock, in queue order), so the records can cross to the writer thread.
      const records = queued.map(({ stream, events, expectedRevision }) => ({
        stream,
        expectedRevision,
        recordedAt: this.clock().toISOString(),
        events: events.map((event) => ({ id: event.id, type: event.type, data: event.serializedData ?? JSON.stringify(event.data), metadata: JSON.stringify(event.metadata ?? {}) })),
      }));
      outcomes = await this.writer.commit(records);
    } catch (error) {
      queued.forEach((append) => append.reject(error)); // the commit itself failed: nothing was written
      return;
    }
    const commitMs = performance.now() - started;
    if (commitMs >= SLOW_COMMIT_MS) {
      // On the writer thread this held only the writes; on the calling thread, everything it serves.
      this.logger.warn({ msg: 'slow event-store commit', ms: Math.round(commitMs), appends: queued.length });
    }
    if (outcomes.some((outcome) => 'result' in outcome)) this.appended.emit('appended');
    queued.forEach((append, i) => {
      const outcome = outcomes[i];
      if ('result' in outcome) append.resolve(outcome.result);
      else append.reject(outcome.error);
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.statements.readBackwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
        : this.statements.readForwards.all(stream, options.fromRevision ?? 0, stream, maxCount);
    if (options.direction !== 'backwards') return rows.map(toRecordedEvent);
    const horizon = this.statements.horizon.get(stream)?.before ?? 0;
    return rows.filter((row) => row.revision >= horizon).map(toRecordedEvent);
  }

  async readRevisions(stream: string, revisions: readonly number[], options: { bulk?: boolean } = {}): Promise<RevisionData[]> {
    const statement = options.bulk && this.mmapMiB > 0 ? this.bulkConnection().readRevisions : this.statements.readRevisions;
    const rows: RevisionData[] = [];
    for (let i = 0; i < revisions.length; i += REVISIONS_PER_READ) {
      rows.push(...statement.all(stream, JSON.stringify(revisions.slice(i, i + REVISIONS_PER_READ)), stream));
    }
    return revisions.length > REVISIONS_PER_READ ? rows.sort((a, b) => a.revision - b.revision) : rows;
  }

  /** The connection of bulk reads (ADR 032), opened on first use. */
  private bulkConnection(): NonNullable<SqliteEventStore['bulk']> {
    if (!this.bulk) {
      const db = openMappedReader(this.file, this.mmapMiB, 5000);
      this.bulk = { db, readRevisions: db.prepare<[string, string, string], RevisionData>(READ_REVISIONS_SQL) };
    }
    return this.bulk;
  }

  async truncateBefore(stream: string, beforeRevision: number): Promise<void> {
    if (!Number.isSafeInteger(beforeRevision) || beforeRevision < 0) throw new InvalidTruncationError(`Invalid truncation revision ${beforeRevision}`);
    // The horizon first, in its own transaction: from then on the rows below it are expired for every
    // reader, and the triggers let them (and only them) be deleted.
    const horizon = await this.writer.raiseHorizon(stream, beforeRevision);
    for (;;) {
      const deleted = await this.writer.deleteBelowHorizon(stream, horizon, TRUNCATE_BATCH);
      if (deleted < TRUNCATE_BATCH) return;
      // Give other work on this thread a turn between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async retainedFrom(stream: string): Promise<number> {
    return this.statements.horizon.get(stream)?.before ?? 0;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllPage(decodeSqlitePosition(options.after), options.filter, options.maxCount ?? PAGE_SIZE).events;
  }

  subscribeToAll(options: { after?: Position | null; filter?: AllFilter } = {}): EventSubscription {
    return new SqliteSubscription(this, decodeSqlitePosition(options.after), options.filter);
  }

  async headPosition(filter?: AllFilter): Promise<Position | null> {
    if (!filter?.streamPrefixes?.length) {
      const head = this.statements.head.get()?.position ?? null;
      return head === null ? null : encodeSqlitePosition(head);
    }
    const position = this.filteredHead(filter.streamPrefixes);
    return position ? encodeSqlitePosition(position) : null;
  }

  distance(from: Position | null, to: Position | null): number {
    return Math.max(0, decodeSqlitePosition(to) - decodeSqlitePosition(from));
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // What was asked for before the close is written (or refused) first.
    while (this.committing || this.queuedAppends.length > 0) await this.commitQueuedAppends();
    this.appended.emit('closed');
    await this.writer.close();
    this.bulk?.db.close();
    this.db.close();
  }

  /** @internal used by subscriptions */
  readAllPage(afterSequence: number, filter: AllFilter | undefined, maxCount: number): { events: RecordedEvent[]; scannedTo: number } {
    const prefixes = filter?.streamPrefixes;
    if (!prefixes?.length) {
      const rows = this.statements.readAll.all(afterSequence, maxCount);
      return { events: rows.map(toRecordedEvent), scannedTo: rows.length ? rows[rows.length - 1].position : afterSequence };
    }
    const sparse = this.readSparseStreams(afterSequence, prefixes, maxCount);
    if (sparse) return sparse;
    // The log is shared by all streams: find matching positions from (position, stream) alone, and
    // load whole rows (with their JSON) only for matches, so a projection of a few streams does not
    // copy every other stream's events into memory.
    const events: RecordedEvent[] = [];
    let cursor = afterSequence;
    while (events.length < maxCount) {
      const page = this.statements.scanStreams.all(cursor, PAGE_SIZE);
      if (page.length === 0) break;
      const wanted = Math.min(maxCount - events.length, PAGE_SIZE);
      const matches: number[] = [];
      let scannedTo = page[page.length - 1].position;
      for (const row of page) {
        if (prefixes.some((p) => row.stream.startsWith(p))) {
          matches.push(row.position);
          if (matches.length === wanted) {
            scannedTo = row.position;
            break;
          }
        }
      }
      if (matches.length > page.length / 2) {
        // Mostly matches: one range read, filtered again here.
        for (const row of this.statements.readRange.all(cursor, scannedTo)) {
          if (prefixes.some((p) => row.stream.startsWith(p))) events.push(toRecordedEvent(row));
        }
      } else {
        for (const position of matches) events.push(toRecordedEvent(this.statements.readAt.get(position)!));
      }
      cursor = scannedTo;
      if (page.length < PAGE_SIZE) break;
    }
    return { events, scannedTo: cursor };
  }

  /** Newest position of any stream under the prefixes (0: none): from the categories when every prefix ends a category and they agree with the log. */
  private filteredHead(prefixes: readonly string[]): number {
    const categoriesAgree = (this.statements.newestCategoryHead.get()?.position ?? 0) === (this.statements.head.get()?.position ?? 0);
    const table = categoriesAgree && prefixes.every((p) => p.endsWith('-')) ? 'stream_categories' : 'streams';
    const column = table === 'streams' ? 'stream' : 'category';
    const key = `${table}|${prefixes.length}`;
    let statement = this.filteredHeads.get(key);
    if (!statement) {
      const clauses = prefixes.map(() => `(${column} >= ? AND ${column} < ?)`).join(' OR ');
      statement = this.db.prepare<unknown[], { position: number | null }>(`SELECT MAX(head_position) AS position FROM ${table} WHERE ${clauses}`);
      this.filteredHeads.set(key, statement);
    }
    return statement.get(...prefixes.flatMap((p) => [p, `${p}\uffff`]))?.position ?? 0;
  }

  private derivedTablesAgreeWith(head: number): boolean {
    return (this.statements.newestStreamHead.get()?.position ?? 0) === head && (this.statements.newestCategoryHead.get()?.position ?? 0) === head;
  }

  private readonly filteredHeads = new Map<string, Database.Statement<unknown[], { position: number | null }>>();

  /** Databases from before stream_categories: fill it from streams once (idempotent). */
  private backfillStreamCategories(): void {
    if (this.db.prepare('SELECT 1 FROM stream_categories LIMIT 1').get()) return;
    const heads = new Map<string, number>();
    for (const row of this.db.prepare<[], { stream: string; head_position: number }>('SELECT stream, head_position FROM streams').iterate()) {
      const category = categoryOf(row.stream);
      heads.set(category, Math.max(heads.get(category) ?? 0, row.head_position));
    }
    for (const [category, position] of heads) this.statements.setCategoryHead.run(category, position);
  }

  private readonly streamsWithPrefixes = new Map<number, Database.Statement<unknown[], { stream: string; head_revision: number }>>();

  /** Streams under any of `count` prefixes that have events after a position (statements cached per count). */
  private streamsWithPrefixesStatement(count: number): Database.Statement<unknown[], { stream: string; head_revision: number }> {
    let statement = this.streamsWithPrefixes.get(count);
    if (!statement) {
      const clauses = Array.from({ length: count }, () => '(stream >= ? AND stream < ?)').join(' OR ');
      statement = this.db.prepare<unknown[], { stream: string; head_revision: number }>(`SELECT stream, head_revision FROM streams WHERE (${clauses}) AND head_position > ?`);
      this.streamsWithPrefixes.set(count, statement);
    }
    return statement;
  }

  /**
   * When the streams a filter names hold few events compared with the log after `afterSequence`
   * (webhooks, reports, settings: a few streams among millions of audit events), reads those streams
   * through their index instead of scanning the log: a projection of them that starts or catches up
   * would otherwise walk every event recorded since its last own event (53 s at start for 1M events).
   * Null when scanning the log is the cheaper way. One read transaction: a consistent snapshot.
   */
  private readSparseStreams(afterSequence: number, prefixes: readonly string[], maxCount: number): { events: RecordedEvent[]; scannedTo: number } | null {
    return this.db.transaction(() => {
      const head = this.statements.head.get()?.position ?? 0;
      // The shortcuts below trust streams and stream_categories, which appends keep in step with the
      // log. If the log says otherwise (edited outside this store, or its newest events expired), scan.
      if (!this.derivedTablesAgreeWith(head)) return null;
      // Nothing of these streams since the cursor (the usual case for a quiet projection): done.
      if (this.filteredHead(prefixes) <= afterSequence) return { events: [], scannedTo: Math.max(head, afterSequence) };
      // A short stretch of the log is cheaper to scan than to look the streams up (thousands of them for notifications).
      if (head - afterSequence < SPARSE_MIN_GAP) return null;
      const streams = this.streamsWithPrefixesStatement(prefixes.length).all(...prefixes.flatMap((p) => [p, `${p}\uffff`]), afterSequence);
      const rowsInStreams = streams.reduce((sum, s) => sum + s.head_revision + 1, 0);
      if (rowsInStreams > Math.max(PAGE_SIZE, (head - afterSequence) / SPARSE_FILTER_RATIO)) return null;
      const rows: EventRow[] = [];
      for (const { stream } of streams) rows.push(...this.statements.readStreamAfterPosition.all(stream, afterSequence, maxCount));
      rows.sort((a, b) => a.position - b.position);
      const events = rows.slice(0, maxCount);
      // Fewer than asked: nothing else matches up to the head of this snapshot.
      const scannedTo = rows.length > maxCount || (rows.length === maxCount && events[events.length - 1].position < head) ? events[events.length - 1].position : head;
      return { events: events.map(toRecordedEvent), scannedTo: Math.max(scannedTo, afterSequence) };
    })();
  }

  /** @internal resolves on the next local append, on close, or after the poll interval. */
  waitForAppend(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('appended', done);
        this.appended.off('closed', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.appended.once('appended', done);
      this.appended.once('closed', done);
    });
  }

  /** @internal */
  get isClosed(): boolean {
    return this.closed;
  }
}

class SqliteSubscription implements EventSubscription {
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly store: SqliteEventStore,
    private cursor: number,
    private readonly filter: AllFilter | undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    while (!this.stopped && !this.store.isClosed) {
      const page = this.store.readAllPage(this.cursor, this.filter, PAGE_SIZE);
      this.cursor = page.scannedTo;
      for (const event of page.events) {
        if (this.stopped) return;
        yield event;
      }
      if (page.events.length === 0) {
        await Promise.race([this.store.waitForAppend(), new Promise<void>((resolve) => (this.wake = resolve))]);
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    stream: row.stream,
    revision: row.revision,
    position: encodeSqlitePosition(row.position),
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: new Date(row.recorded_at),
  };
}

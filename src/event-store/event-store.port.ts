/**
 * The event store port: the immutable source of truth. Two adapters implement it (embedded SQLite,
 * EventStoreDB) and both pass the same contract suite in test/contracts/event-store.contract.ts.
 */

/** Injection token for the configured {@link EventStore} adapter. */
export const EVENT_STORE = Symbol('EVENT_STORE');

export type JsonObject = { [key: string]: unknown };

/**
 * Opaque global position in the store's log. Adapters encode positions so that comparing two of them
 * as strings orders them as the log does (fixed-width, zero-padded); callers must not parse them.
 */
export type Position = string;

/**
 * Optimistic concurrency: a stream revision (the revision of the stream's LAST event, 0-based), or
 * one of the EventStoreDB markers.
 */
export type ExpectedRevision = number | 'any' | 'no_stream' | 'stream_exists';

export interface NewEvent {
  /** Event id (UUID). */
  id: string;
  /** Stable, versioned type string, e.g. `AuditEventRecorded.v1`. */
  type: string;
  data: JsonObject;
  /**
   * `data` already serialized as JSON, when the caller has that text (it must parse to `data`).
   * Adapters that store text keep it verbatim instead of serializing again.
   */
  serializedData?: string;
  metadata?: JsonObject;
}

export interface RecordedEvent {
  id: string;
  stream: string;
  /** 0-based position of the event within its stream. */
  revision: number;
  position: Position;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last appended event; pass it as expectedRevision for the next append. */
  nextExpectedRevision: number;
  /** Position of the last appended event. */
  position: Position;
}

/** One event read by revision: its type and its data as JSON text (as stored, where the store keeps text). */
export interface RevisionData {
  revision: number;
  type: string;
  json: string;
}

export interface ReadStreamOptions {
  /** Inclusive start revision; default: the start (forwards) or the end (backwards). */
  fromRevision?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface AllFilter {
  /** Keep only events whose stream name starts with one of these. */
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: read events strictly after this position; default: from the start. */
  after?: Position | null;
  filter?: AllFilter;
  maxCount?: number;
}

/** A catch-up-then-live subscription. Iterate it; call close() to stop (iteration then ends). */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Largest append this store accepts, in bytes as measured by {@link appendBytesOf} (EventStoreDB
   * refuses appends over its MaxAppendSize, 1 MiB by default). Writers that group events keep under it.
   */
  readonly maxAppendBytes: number;
  /** Appends atomically. Throws WrongExpectedRevisionError if the stream is not at `expectedRevision`. */
  append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an absent stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The events at these revisions of one stream (any order, duplicates ignored), oldest first, with
   * their data as JSON text; revisions the stream does not hold (below its retention horizon, or never
   * written) are absent. For random reads by revision, e.g. the bodies of a page of a read model that
   * indexes events by revision (ADR 031). `bulk`: one read of a long walk (an export); a store may serve
   * it differently (the embedded store reads it through a memory map, ADR 032). Results are the same.
   */
  readRevisions(stream: string, revisions: readonly number[], options?: { bulk?: boolean }): Promise<RevisionData[]>;
  /** Events of all streams in global order (application events only, never store-internal ones). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up from `after` (exclusive), then live, in global order. */
  subscribeToAll(options?: { after?: Position | null; filter?: AllFilter }): EventSubscription;
  /**
   * Retention, the one deletion path (ADR 025): every event of `stream` with a revision below
   * `beforeRevision` is gone for every reader of the stream from the moment this resolves. Only the
   * front of a stream, never a hole; the horizon only grows (a revision at or below the current one
   * does nothing, so a retry is harmless). Refuses a revision beyond the head + 1 (it would expire
   * events not yet written) with InvalidTruncationError. Revisions and the head are unchanged.
   */
  truncateBefore(stream: string, beforeRevision: number): Promise<void>;
  /** The stream's retention horizon: the lowest revision a reader can still see (0 if never truncated). */
  retainedFrom(stream: string): Promise<number>;
  /** Position of the newest event matching the filter, or null if there is none. */
  headPosition(filter?: AllFilter): Promise<Position | null>;
  /** Number of log entries between two positions when the adapter can tell cheaply, else null. */
  distance(from: Position | null, to: Position | null): number | null;
  /** Round trip to the store; throws if it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Per-event framing an append carries besides data, metadata and type (id, content types, field tags). */
const APPEND_EVENT_OVERHEAD_BYTES = 128;

/** Size of an append as the stores count it, with a margin for each event's framing. */
export function appendBytesOf(events: NewEvent[]): number {
  let bytes = 0;
  for (const event of events) bytes += appendBytesOfOne(event);
  return bytes;
}

export function appendBytesOfOne(event: NewEvent): number {
  return (
    Buffer.byteLength(event.serializedData ?? JSON.stringify(event.data)) +
    Buffer.byteLength(JSON.stringify(event.metadata ?? {})) +
    Buffer.byteLength(event.type) +
    APPEND_EVENT_OVERHEAD_BYTES
  );
}

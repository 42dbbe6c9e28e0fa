import {
  AllStreamResolvedEvent,
  AppendStreamState,
  BACKWARDS,
  END,
  KurrentDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  ResolvedEvent,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { AppendTooLargeError, InvalidAppendError, InvalidTruncationError, WrongExpectedRevisionError } from '../event-store.errors';
import {
  AllFilter,
  appendBytesOf,
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  JsonObject,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RevisionData,
} from '../event-store.port';
import { rangesOf } from '../revision-ranges';
import { decodeEsdbPosition, encodeEsdbPosition, isKnownEsdbPosition, normalizeEsdbPosition } from './eventstoredb-position';

const PAGE_SIZE = 1000;
const PING_TIMEOUT_MS = 2000;
/** EventStoreDB's default MaxAppendSize. */
export const ESDB_DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;

export interface EventStoreDbOptions {
  /** The server's MaxAppendSize (1 MiB unless the server is configured otherwise). */
  maxAppendBytes?: number;
  pingTimeoutMs?: number;
}

/**
 * Production event store on EventStoreDB / KurrentDB (gRPC client). Store-internal streams and event
 * types (starting with `$`) are never returned, so both adapters expose the same application log.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  readonly maxAppendBytes: number;
  private readonly pingTimeoutMs: number;

  constructor(connectionString: string, options: EventStoreDbOptions = {}) {
    this.client = KurrentDBClient.connectionString(connectionString);
    this.maxAppendBytes = options.maxAppendBytes ?? ESDB_DEFAULT_MAX_APPEND_BYTES;
    this.pingTimeoutMs = options.pingTimeoutMs ?? PING_TIMEOUT_MS;
  }

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new InvalidAppendError('An append needs at least one event');
    if (!stream || stream.startsWith('$')) throw new InvalidAppendError(`Invalid stream name "${stream}"`);
    // The server would refuse it as a retryable-looking error; say what it is before sending anything.
    const bytes = appendBytesOf(events);
    if (bytes > this.maxAppendBytes) throw new AppendTooLargeError(stream, bytes, this.maxAppendBytes);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata ?? {} })),
        { streamState: toStreamState(expectedRevision) },
      );
      // With throwOnAppendFailure=false in the connection string a conflict is returned, not thrown.
      if (!result.success) throw new WrongExpectedRevisionError(stream, expectedRevision, undefined);
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // An idempotent retry of an append the server already has comes back without a position.
      const position = isKnownEsdbPosition(result.position)
        ? encodeEsdbPosition(result.position)
        : (await this.readStream(stream, { fromRevision: nextExpectedRevision, maxCount: 1 }))[0]?.position;
      if (!position) throw new Error(`EventStoreDB did not say where the append to ${stream} landed`);
      return { nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) : error.actualState === 'no_stream' ? null : undefined;
        throw new WrongExpectedRevisionError(stream, expectedRevision, actual);
      }
      throw error;
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /** By ranges of nearby revisions: the server has no multi-get by revision. */
  async readRevisions(stream: string, revisions: readonly number[]): Promise<RevisionData[]> {
    const wanted = new Set(revisions);
    const found: RevisionData[] = [];
    for (const [from, to] of rangesOf(revisions)) {
      for (const event of await this.readStream(stream, { fromRevision: from, maxCount: to - from + 1 })) {
        if (wanted.has(event.revision)) found.push({ revision: event.revision, type: event.type, json: JSON.stringify(event.data) });
      }
    }
    return found;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? PAGE_SIZE;
    const events: RecordedEvent[] = [];
    const after = normalizeEsdbPosition(options.after);
    // Filtered on the server: a catch-up of one projection reads its own streams, not all of $all.
    // fromPosition is inclusive, hence one more than asked for and the skip of `after` itself.
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: after ? decodeEsdbPosition(after) : START,
      maxCount: maxCount + 1,
      filter: serverFilterOf(options.filter),
    });
    try {
      for await (const resolved of read) {
        if (!resolved.event || !isKnownEsdbPosition(resolved.event.position)) continue;
        if (after !== null && encodeEsdbPosition(resolved.event.position) <= after) continue;
        const event = toRecordedEvent(resolved);
        if (event && matches(event.stream, options.filter)) {
          events.push(event);
          if (events.length >= maxCount) break;
        }
      }
    } finally {
      await stopReading(read);
    }
    return events;
  }

  subscribeToAll(options: { after?: Position | null; filter?: AllFilter } = {}): EventSubscription {
    const after = normalizeEsdbPosition(options.after);
    const subscription = this.client.subscribeToAll({
      fromPosition: after ? decodeEsdbPosition(after) : START,
      filter: serverFilterOf(options.filter),
    });
    let closed = false;
    return {
      async *[Symbol.asyncIterator]() {
        for await (const resolved of subscription) {
          // unsubscribe() still lets already-buffered events through; stop at once like SQLite.
          if (closed) return;
          const event = toRecordedEvent(resolved);
          if (!event || (after !== null && event.position <= after) || !matches(event.stream, options.filter)) continue;
          yield event;
        }
      },
      close: async () => {
        closed = true;
        await subscription.unsubscribe();
      },
    };
  }

  /**
   * Stream metadata `$tb` (truncateBefore): the server hides the events below it from stream reads at
   * once and a scavenge removes them from disk. Other metadata is kept; the metadata write carries the
   * metadata stream's revision, so two instances cannot interleave a read-modify-write.
   */
  async truncateBefore(stream: string, beforeRevision: number): Promise<void> {
    if (!Number.isSafeInteger(beforeRevision) || beforeRevision < 0) throw new InvalidTruncationError(`Invalid truncation revision ${beforeRevision}`);
    for (let attempt = 1; ; attempt++) {
      const current = await this.client.getStreamMetadata(stream);
      const horizon = typeof current.metadata?.truncateBefore === 'number' ? current.metadata.truncateBefore : 0;
      if (beforeRevision <= horizon) return;
      const [head] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
      const headRevision = head ? head.revision : -1;
      if (beforeRevision > headRevision + 1) {
        throw new InvalidTruncationError(`Stream ${stream} ends at revision ${headRevision}: cannot expire events before revision ${beforeRevision}`);
      }
      try {
        await this.client.setStreamMetadata(
          stream,
          { ...(current.metadata ?? {}), truncateBefore: beforeRevision },
          { expectedRevision: current.metastreamRevision === undefined ? 'no_stream' : current.metastreamRevision },
        );
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= 5) throw error;
      }
    }
  }

  async retainedFrom(stream: string): Promise<number> {
    const current = await this.client.getStreamMetadata(stream);
    return typeof current.metadata?.truncateBefore === 'number' ? current.metadata.truncateBefore : 0;
  }

  async headPosition(filter?: AllFilter): Promise<Position | null> {
    // The newest application event that matches: a backwards read of $all, filtered on the server.
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: PAGE_SIZE, filter: serverFilterOf(filter) });
    try {
      for await (const resolved of read) {
        const event = resolved.event && isKnownEsdbPosition(resolved.event.position) ? toRecordedEvent(resolved) : null;
        if (event && matches(event.stream, filter)) return event.position;
      }
      return null;
    } finally {
      await stopReading(read);
    }
  }

  distance(): null {
    // ESDB positions are byte offsets in the transaction log, not event counts.
    return null;
  }

  async ping(): Promise<void> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void stopReading(read);
        reject(new Error(`EventStoreDB did not answer within ${this.pingTimeoutMs} ms`));
      }, this.pingTimeoutMs);
    });
    const drained = (async () => {
      for await (const _ of read) {
        // draining one event proves the round trip
      }
    })();
    try {
      await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
      drained.catch(() => undefined); // cancelled after a timeout: its outcome no longer matters
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  return typeof expected === 'number' ? BigInt(expected) : expected;
}

/** Store-internal streams never reach us; with prefixes, only their streams leave the server. */
function serverFilterOf(filter: AllFilter | undefined) {
  const prefixes = filter?.streamPrefixes;
  return prefixes?.length ? streamNameFilter({ prefixes }) : excludeSystemEvents();
}

/** Ends a read early (the gRPC call is cancelled when its iterator returns). */
async function stopReading(read: AsyncIterableIterator<unknown>): Promise<void> {
  await read.return?.(undefined);
}

function matches(stream: string, filter: AllFilter | undefined): boolean {
  const prefixes = filter?.streamPrefixes;
  return !prefixes?.length || prefixes.some((p) => stream.startsWith(p));
}

function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || !event.isJson || event.streamId.startsWith('$') || event.type.startsWith('$')) return null;
  if (!isKnownEsdbPosition(event.position)) {
    // Dropping it would silently lose evidence. Servers before 22.6 send no position on stream reads.
    throw new Error(`EventStoreDB returned ${event.streamId}@${event.revision} without a position; version 22.6 or later is required`);
  }
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: encodeEsdbPosition(event.position),
    type: event.type,
    data: event.data as JsonObject,
    metadata: (event.metadata ?? {}) as JsonObject,
    recordedAt: event.created,
  };
}

import Database from 'better-sqlite3';
import { InvalidAppendError, InvalidTruncationError, WrongExpectedRevisionError } from '../event-store.errors';
import { AppendResult, ExpectedRevision } from '../event-store.port';
import { encodeSqlitePosition } from './sqlite-position';

/** One append of a group commit, its event data already serialised (it may cross to the writer thread). */
export interface AppendRecord {
  stream: string;
  events: Array<{ id: string; type: string; data: string; metadata: string }>;
  expectedRevision: ExpectedRevision;
  recordedAt: string;
}

/** Raises a stream category's newest position (appends, and the store's one-time backfill at open). */
export const SET_CATEGORY_HEAD_SQL =
  'INSERT INTO stream_categories (category, head_position) VALUES (?, ?) ' +
  'ON CONFLICT (category) DO UPDATE SET head_position = MAX(head_position, excluded.head_position)';

export type AppendOutcome = { result: AppendResult } | { error: unknown };

/**
 * The writes of the SQLite event store on one connection: group commits of appends and retention
 * deletes. The store runs them on its own connection, or on its writer thread's (ADR 033).
 */
export class SqliteAppends {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      streamHead: db.prepare<[string], { revision: number }>('SELECT head_revision AS revision FROM streams WHERE stream = ?'),
      setCategoryHead: db.prepare(SET_CATEGORY_HEAD_SQL),
      setStreamHead: db.prepare(
        'INSERT INTO streams (stream, head_revision, head_position) VALUES (?, ?, ?) ' +
          'ON CONFLICT (stream) DO UPDATE SET head_revision = excluded.head_revision, head_position = excluded.head_position',
      ),
      insert: db.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      horizon: db.prepare<[string], { before: number }>('SELECT before_revision AS before FROM retention_horizons WHERE stream = ?'),
      raiseHorizon: db.prepare(
        'INSERT INTO retention_horizons (stream, before_revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET before_revision = excluded.before_revision WHERE excluded.before_revision > before_revision',
      ),
      // A truncation deletes in batches: readers already skip everything below the horizon.
      deleteBelowHorizon: db.prepare('DELETE FROM events WHERE position IN (SELECT position FROM events WHERE stream = ? AND revision < ? ORDER BY revision LIMIT ?)'),
    };
  }

  /**
   * The group commit: every append in one transaction, each in a savepoint, so one that fails (wrong
   * expected revision) fails alone. Throws only if the commit itself failed: then nothing was written.
   */
  commit(appends: readonly AppendRecord[]): AppendOutcome[] {
    const outcomes: AppendOutcome[] = [];
    this.db
      .transaction(() => {
        for (const append of appends) {
          try {
            // A nested transaction function runs as a savepoint: a failing append is rolled back alone.
            outcomes.push({ result: this.db.transaction(() => this.appendInTransaction(append))() });
          } catch (error) {
            outcomes.push({ error });
          }
        }
      })
      .immediate();
    return outcomes;
  }

  /** Raises the stream's retention horizon (never lowers it); returns the horizon now in force. */
  raiseHorizon(stream: string, beforeRevision: number): number {
    return this.db
      .transaction((): number => {
        const head = this.statements.streamHead.get(stream)?.revision ?? -1;
        if (beforeRevision > head + 1) {
          throw new InvalidTruncationError(`Stream ${stream} ends at revision ${head}: cannot expire events before revision ${beforeRevision}`);
        }
        const current = this.statements.horizon.get(stream)?.before ?? 0;
        if (beforeRevision > current) this.statements.raiseHorizon.run(stream, beforeRevision);
        return Math.max(current, beforeRevision);
      })
      .immediate();
  }

  /** Deletes up to `batch` events of the stream below the horizon, in one transaction; returns how many. */
  deleteBelowHorizon(stream: string, horizon: number, batch: number): number {
    return this.db.transaction(() => this.statements.deleteBelowHorizon.run(stream, horizon, batch).changes).immediate();
  }

  private appendInTransaction({ stream, events, expectedRevision, recordedAt }: AppendRecord): AppendResult {
    if (events.length === 0) throw new InvalidAppendError('An append needs at least one event');
    if (!stream || stream.startsWith('$')) throw new InvalidAppendError(`Invalid stream name "${stream}"`);
    const current = this.statements.streamHead.get(stream)?.revision ?? null;
    assertExpected(stream, expectedRevision, current);
    let revision = current === null ? -1 : current;
    let lastRowId = 0;
    for (const event of events) {
      revision += 1;
      const info = this.statements.insert.run(stream, revision, event.id, event.type, event.data, event.metadata, recordedAt);
      lastRowId = Number(info.lastInsertRowid);
    }
    this.statements.setStreamHead.run(stream, revision, lastRowId);
    this.statements.setCategoryHead.run(categoryOf(stream), lastRowId);
    return { nextExpectedRevision: revision, position: encodeSqlitePosition(lastRowId) };
  }
}

function assertExpected(stream: string, expected: ExpectedRevision, current: number | null): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, current);
}

/** A stream's category: its name up to and including the last "-" (a filter prefix ending in "-" matches whole categories). */
export function categoryOf(stream: string): string {
  return stream.slice(0, stream.lastIndexOf('-') + 1);
}

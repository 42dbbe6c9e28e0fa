import Database from 'better-sqlite3';
import * as path from 'node:path';
import { WorkerClient } from '../../workers/worker-client';
import { AppendOutcome, AppendRecord, SqliteAppends } from './sqlite-appends';
import { fromWire, outcomesFromWire, WireOutcome, WorkerData, WriterAnswer, WriterRequest } from './sqlite-writer.protocol';

type Op<R = WriterRequest> = R extends unknown ? Omit<R, 'id'> : never;

/** Where the SQLite event store's writes run: on its own connection, or on a writer thread (ADR 033). */
export interface SqliteWriter {
  /** The group commit (see SqliteAppends.commit); rejects only if the commit itself failed. */
  commit(appends: AppendRecord[]): Promise<AppendOutcome[]>;
  raiseHorizon(stream: string, beforeRevision: number): Promise<number>;
  deleteBelowHorizon(stream: string, horizon: number, batch: number): Promise<number>;
  close(): Promise<void>;
}

/** Writes on the store's own connection, on the calling thread (in-memory stores, the projection worker). */
export class InlineSqliteWriter implements SqliteWriter {
  private readonly appends: SqliteAppends;

  constructor(db: Database.Database) {
    this.appends = new SqliteAppends(db);
  }

  async commit(appends: AppendRecord[]): Promise<AppendOutcome[]> {
    return this.appends.commit(appends);
  }

  async raiseHorizon(stream: string, beforeRevision: number): Promise<number> {
    return this.appends.raiseHorizon(stream, beforeRevision);
  }

  async deleteBelowHorizon(stream: string, horizon: number, batch: number): Promise<number> {
    return this.appends.deleteBelowHorizon(stream, horizon, batch);
  }

  async close(): Promise<void> {}
}

/**
 * Writes on a worker thread with a connection of its own. A commit with synchronous=FULL waits for
 * fsync, which took up to 1.2 s on this machine's disk (docs/PERFORMANCE.md): on the service's main
 * thread that held every request of every tenant, `/health` included. Here it holds only the writes.
 * A commit in flight when the thread died may or may not have been written: its callers get an error,
 * never a success, and SQLite kept the file consistent either way (WorkerClient starts a new thread).
 */
export class ThreadSqliteWriter implements SqliteWriter {
  private readonly client: WorkerClient<Op, WriterAnswer>;

  constructor(file: string) {
    this.client = new WorkerClient(path.join(__dirname, `sqlite-writer.main${path.extname(__filename)}`), {
      name: 'event-store-writer',
      workerData: { file } satisfies WorkerData,
    });
  }

  async commit(appends: AppendRecord[]): Promise<AppendOutcome[]> {
    return outcomesFromWire((await this.call({ op: 'commit', appends })) as WireOutcome[]);
  }

  async raiseHorizon(stream: string, beforeRevision: number): Promise<number> {
    return (await this.call({ op: 'raiseHorizon', stream, beforeRevision })) as number;
  }

  async deleteBelowHorizon(stream: string, horizon: number, batch: number): Promise<number> {
    return (await this.call({ op: 'deleteBelowHorizon', stream, horizon, batch })) as number;
  }

  async close(): Promise<void> {
    if (!this.client.started) return;
    await this.call({ op: 'close' }).catch(() => undefined);
    await this.client.terminate();
  }

  private async call(op: Op): Promise<unknown> {
    const answer = await this.client.request(op);
    if ('error' in answer) throw fromWire(answer.error);
    return answer.value;
  }
}

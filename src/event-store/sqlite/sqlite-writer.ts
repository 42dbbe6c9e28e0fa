import Database from 'better-sqlite3';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
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

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Writes on a worker thread with a connection of its own. A commit with synchronous=FULL waits for
 * fsync, which took up to 1.2 s on this machine's disk (docs/PERFORMANCE.md): on the service's main
 * thread that held every request of every tenant, `/health` included. Here it holds only the writes.
 * Started on first use; if the thread dies, the writes in flight fail and the next write starts a new
 * one. The thread keeps the process alive only while a write is in flight.
 */
export class ThreadSqliteWriter implements SqliteWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly file: string) {}

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
    const worker = this.worker;
    if (!worker) return;
    await this.call({ op: 'close' }).catch(() => undefined);
    this.worker = null;
    await worker.terminate();
  }

  private call(op: Op): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...op, id } as WriterRequest);
    });
  }

  private start(): Worker {
    const entry = path.join(__dirname, `sqlite-writer.main${path.extname(__filename)}`);
    const worker = new Worker(entry, {
      workerData: { file: this.file } satisfies WorkerData,
      execArgv: entry.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [],
      name: 'event-store-writer',
    });
    worker.unref();
    worker.on('message', (answer: WriterAnswer) => {
      const request = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in answer) request?.reject(fromWire(answer.error));
      else request?.resolve(answer.value);
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const pending = [...this.pending.values()];
      this.pending.clear();
      // A commit in flight when the thread died may or may not have been written: its callers get an
      // error, never a success, and SQLite kept the file consistent either way.
      pending.forEach((request) => request.reject(error));
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`event store writer thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

import Database from 'better-sqlite3';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { caught } from '../../../test/support/caught';
import { newEvents } from '../../../test/support/new-event.factory';
import { makeTempDir } from '../../../test/support/temp-dir';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { AppendResult } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

const DELETE_REFUSED = 'events are append-only: DELETE is allowed only below the retention horizon';

describe(SqliteEventStore.name, () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;

  beforeEach(() => {
    temp = makeTempDir();
    file = path.join(temp.dir, 'events.db');
  });
  afterEach(() => temp.cleanup());

  it('refuses UPDATE and DELETE on the events table at the database level, whoever connects', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('audit-acme', newEvents(3), 'no_stream');
    await store.close();

    const raw = new Database(file);
    try {
      expect((await caught(() => raw.prepare("UPDATE events SET data = '{}' WHERE revision = 1").run())).message).toBe(
        'events are append-only: UPDATE is not allowed',
      );
      expect((await caught(() => raw.prepare('DELETE FROM events WHERE revision = 1').run())).message).toBe(DELETE_REFUSED);
      expect((await caught(() => raw.prepare('DELETE FROM events').run())).message).toBe(DELETE_REFUSED);
      expect(raw.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 3 });
    } finally {
      raw.close();
    }
  });

  it('lets a DELETE through only below the retention horizon; UPDATE, DELETE at or above it, lowering, moving or deleting a horizon all abort', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('audit-acme', newEvents(5), 'no_stream');
    await store.append('audit-other', newEvents(2), 'no_stream');
    await store.truncateBefore('audit-acme', 2);
    await store.close();

    const raw = new Database(file);
    try {
      const count = (stream: string) => (raw.prepare('SELECT COUNT(*) AS n FROM events WHERE stream = ?').get(stream) as { n: number }).n;
      expect(count('audit-acme')).toBe(3);
      expect((await caught(() => raw.prepare("UPDATE events SET data = '{}' WHERE stream = 'audit-acme' AND revision = 3").run())).message).toBe(
        'events are append-only: UPDATE is not allowed',
      );
      expect((await caught(() => raw.prepare("DELETE FROM events WHERE stream = 'audit-acme' AND revision = 2").run())).message).toBe(DELETE_REFUSED);
      expect((await caught(() => raw.prepare("DELETE FROM events WHERE stream = 'audit-other'").run())).message).toBe(DELETE_REFUSED);
      expect((await caught(() => raw.prepare("UPDATE retention_horizons SET before_revision = 1 WHERE stream = 'audit-acme'").run())).message).toBe(
        'retention horizons only grow: lowering or moving one is not allowed',
      );
      expect((await caught(() => raw.prepare("UPDATE retention_horizons SET stream = 'audit-other' WHERE stream = 'audit-acme'").run())).message).toBe(
        'retention horizons only grow: lowering or moving one is not allowed',
      );
      expect((await caught(() => raw.prepare('DELETE FROM retention_horizons').run())).message).toBe('retention horizons are never deleted');
      expect((await caught(() => raw.prepare("INSERT OR REPLACE INTO retention_horizons (stream, before_revision) VALUES ('audit-acme', 0)").run())).message).toBe(
        'retention horizons only grow: lowering or moving one is not allowed',
      );
      expect([count('audit-acme'), count('audit-other')]).toEqual([3, 2]);
      expect(raw.prepare('SELECT stream, before_revision AS b FROM retention_horizons').all()).toEqual([{ stream: 'audit-acme', b: 2 }]);
    } finally {
      raw.close();
    }
  });

  it('migrates a database whose DELETE trigger refused every delete, so that retention can truncate it', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('audit-acme', newEvents(4), 'no_stream');
    await store.close();
    const raw = new Database(file);
    raw.exec(`DROP TRIGGER events_are_never_deleted;
      CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed'); END;`);
    raw.close();

    const reopened = new SqliteEventStore({ file });
    try {
      await reopened.truncateBefore('audit-acme', 3);
      expect((await reopened.readStream('audit-acme')).map((e) => e.revision)).toEqual([3]);
    } finally {
      await reopened.close();
    }
  });

  it("finds a filter's head among stream categories, also for a database from before them (filled once at open)", async () => {
    const store = new SqliteEventStore({ file });
    const positions: string[] = [];
    for (let i = 0; i < 30; i++) positions.push((await store.append(`notification-acme-${i}`, newEvents(1), 'no_stream')).position);
    const role = await store.append('role-acme-admin', newEvents(1), 'no_stream');
    const last = await store.append('notification-globex-1', newEvents(1), 'no_stream');
    await store.append('audit-acme', newEvents(2), 'any');
    const heads = async (s: SqliteEventStore) => [
      await s.headPosition({ streamPrefixes: ['notification-'] }),
      await s.headPosition({ streamPrefixes: ['notification-acme-'] }),
      await s.headPosition({ streamPrefixes: ['role-'] }),
      await s.headPosition({ streamPrefixes: ['webhook-'] }),
      await s.headPosition({ streamPrefixes: ['notification-acme-1'] }),
    ];
    const before = await heads(store);
    expect(before[0]).toBe(last.position);
    expect(before[2]).toBe(role.position);
    expect(before[3]).toBeNull();
    expect(before[1]).toBe(positions[29]);
    // notification-acme-1 is not a category: the streams themselves answer (…-1 and …-10 to …-19).
    expect(before[4]).toBe(positions[19]);
    await store.close();

    const raw = new Database(file);
    raw.exec('DELETE FROM stream_categories');
    raw.close();
    const reopened = new SqliteEventStore({ file });
    expect(await heads(reopened)).toEqual(before);
    await reopened.close();
  });

  it('reads a filter by scanning the log when the stream tables disagree with it (rows written past this store)', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('webhook-acme-1', newEvents(1), 'no_stream');
    await store.append('audit-acme', newEvents(3), 'no_stream');
    const [first] = await store.readAll({ filter: { streamPrefixes: ['webhook-'] } });
    // Written into the file directly, as an insider (or a tool) would, without the head tables.
    const raw = new Database(file);
    raw.prepare("INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at) VALUES ('webhook-acme-1', 1, 'e-forged', 'T', '{}', '{}', '2026-11-29T00:00:00.000Z')").run();
    raw.close();
    const after = await store.readAll({ after: first.position, filter: { streamPrefixes: ['webhook-'] } });
    expect(after.map((e) => e.id)).toEqual(['e-forged']);
    expect(await store.headPosition({ streamPrefixes: ['webhook-'] })).toBe(first.position);
    await store.close();
  });

  it('commits the appends asked for together in one transaction; one that fails fails alone and leaves nothing behind', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('notification-acme-1', newEvents(1), 'no_stream');
    const commits = jest.fn();
    (store as unknown as { appended: import('node:events').EventEmitter }).appended.on('appended', commits);
    const outcomes = await Promise.allSettled([
      store.append('audit-acme', newEvents(2), 'no_stream'),
      store.append('notification-acme-1', newEvents(3), 'no_stream'), // exists: wrong expected revision
      store.append('notification-acme-2', newEvents(1), 'no_stream'),
      store.append('audit-acme', newEvents(1), 1), // after the first append of this turn
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(commits).toHaveBeenCalledTimes(1); // one transaction for the turn
    expect((await store.readStream('audit-acme')).map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(await store.readStream('notification-acme-1')).toHaveLength(1);
    expect(await store.readStream('notification-acme-2')).toHaveLength(1);
    // Positions follow the order the appends were asked for.
    const positions = outcomes.filter((o): o is PromiseFulfilledResult<AppendResult> => o.status === 'fulfilled').map((o) => o.value.position);
    expect([...positions].sort()).toEqual(positions);
    await store.close();
  });

  describe('with its writer thread (ADR 033)', () => {
    it('a commit that waits (here for a lock another connection holds) does not block the calling thread', async () => {
      const store = new SqliteEventStore({ file, writerThread: true });
      await store.append('audit-acme', newEvents(1), 'no_stream'); // the thread is started
      const blocker = new Database(file);
      blocker.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      let answered = false;
      const appended = store.append('audit-acme', newEvents(1), 0).then((result) => ((answered = true), result));
      await new Promise((resolve) => setTimeout(resolve, 10));
      // Inline, the commit would have held this thread in SQLite's busy wait (up to busy_timeout, 5 s) before the timer ran.
      expect(performance.now() - started).toBeLessThan(1000);
      expect(answered).toBe(false);
      blocker.exec('COMMIT');
      blocker.close();
      expect(await appended).toMatchObject({ nextExpectedRevision: 1 });
      await store.close();
    });

    it('answers a wrong expected revision with the same error, fields included, and keeps the other appends of the group', async () => {
      const store = new SqliteEventStore({ file, writerThread: true });
      await store.append('audit-acme', newEvents(2), 'no_stream');
      const [stale, fresh] = await Promise.allSettled([store.append('audit-acme', newEvents(1), 0), store.append('audit-other', newEvents(1), 'no_stream')]);
      expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale.status === 'rejected' && stale.reason).toMatchObject({ stream: 'audit-acme', expected: 0, actual: 1 });
      expect(fresh).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
      await store.close();
    });

    it('after its thread died, the next append starts a new one', async () => {
      const store = new SqliteEventStore({ file, writerThread: true });
      await store.append('audit-acme', newEvents(1), 'no_stream');
      const writer = (store as unknown as { writer: { client: { worker: Worker } } }).writer;
      await writer.client.worker.terminate();
      expect(await store.append('audit-acme', newEvents(1), 0)).toMatchObject({ nextExpectedRevision: 1 });
      await store.close();
    });
  });

  it('writes appends asked for before close, and refuses those asked for after it', async () => {
    const store = new SqliteEventStore({ file });
    const before = store.append('audit-acme', newEvents(2), 'no_stream');
    await store.close();
    await expect(before).resolves.toMatchObject({ nextExpectedRevision: 1 });
    await expect(store.append('audit-acme', newEvents(1), 1)).rejects.toThrow('closed');
    const reopened = new SqliteEventStore({ file });
    expect(await reopened.readStream('audit-acme')).toHaveLength(2);
    await reopened.close();
  });

  it('uses a WAL journal and keeps unique (stream, revision) even if the head table is wrong', async () => {
    const store = new SqliteEventStore({ file });
    await store.append('audit-acme', newEvents(2), 'no_stream');
    await store.close();
    const raw = new Database(file);
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.prepare("UPDATE streams SET head_revision = 0 WHERE stream = 'audit-acme'").run();
    } finally {
      raw.close();
    }
    const reopened = new SqliteEventStore({ file });
    expect(await caught(() => reopened.append('audit-acme', newEvents(1), 0))).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(await reopened.readStream('audit-acme')).toHaveLength(2);
    await reopened.close();
  });

  it('keeps revisions unique and contiguous with two threads appending to one stream in parallel', async () => {
    new SqliteEventStore({ file }).close();
    const perWorker = 150;
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      require('ts-node').register({ transpileOnly: true });
      const { SqliteEventStore } = require(${JSON.stringify(path.join(__dirname, 'sqlite-event-store.ts'))});
      const { WrongExpectedRevisionError } = require(${JSON.stringify(path.join(__dirname, '..', 'event-store.errors.ts'))});
      (async () => {
        const store = new SqliteEventStore({ file: workerData.file });
        let conflicts = 0;
        for (let i = 0; i < workerData.count; i++) {
          for (;;) {
            const [head] = await store.readStream('audit-race', { direction: 'backwards', maxCount: 1 });
            try {
              await store.append('audit-race', [{ id: workerData.who + '-' + i, type: 'T.v1', data: {} }], head ? head.revision : 'no_stream');
              break;
            } catch (e) {
              if (!(e instanceof WrongExpectedRevisionError)) throw e;
              conflicts++;
            }
          }
        }
        await store.close();
        parentPort.postMessage({ conflicts });
      })().catch((e) => { throw e; });
    `;
    const runWorker = (who: string) =>
      new Promise<{ conflicts: number }>((resolve, reject) => {
        const worker = new Worker(script, { eval: true, workerData: { file, who, count: perWorker } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });

    await Promise.all([runWorker('a'), runWorker('b')]);

    const store = new SqliteEventStore({ file });
    const events = await store.readStream('audit-race');
    await store.close();
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 2 * perWorker }, (_, i) => i));
    expect(new Set(events.map((e) => e.id)).size).toBe(2 * perWorker);
  }, 60_000);
});

import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteAppends } from './sqlite-appends';
import { outcomesToWire, toWire, WorkerData, WriterAnswer, WriterRequest } from './sqlite-writer.protocol';

// The event store's writer thread (ADR 033): its commits, fsync included, block this thread only.
const { file } = workerData as WorkerData;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const appends = new SqliteAppends(db);

function run(request: WriterRequest): unknown {
  switch (request.op) {
    case 'commit':
      return outcomesToWire(appends.commit(request.appends));
    case 'raiseHorizon':
      return appends.raiseHorizon(request.stream, request.beforeRevision);
    case 'deleteBelowHorizon':
      return appends.deleteBelowHorizon(request.stream, request.horizon, request.batch);
    case 'close':
      db.close();
      return null;
  }
}

parentPort!.on('message', (request: WriterRequest) => {
  let answer: WriterAnswer;
  try {
    answer = { id: request.id, value: run(request) };
  } catch (error) {
    answer = { id: request.id, error: toWire(error) };
  }
  parentPort!.postMessage(answer);
});

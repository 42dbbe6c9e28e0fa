import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { HashAnswer, HashRequest, hashProblemOf } from './chain-hashing';

// A verification is background work: on Linux the nice value is per thread, so this lowers only this
// thread's CPU share against requests (ingestion, /health) when the cores are busy (issue 14 item 4).
// Elsewhere it is per process and would lower the whole service: left alone there.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // not permitted: run at normal priority
  }
}

// Recomputes chain hashes (JCS + SHA-256, the CPU-bound part of a verification) off the event loop.
parentPort!.on('message', (request: HashRequest) => {
  parentPort!.postMessage({ id: request.id, problems: request.events.map(hashProblemOf) } satisfies HashAnswer);
});

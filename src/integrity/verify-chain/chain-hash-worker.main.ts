import { parentPort } from 'node:worker_threads';
import { HashAnswer, HashRequest, hashProblemOf } from './chain-hashing';

// Recomputes chain hashes (JCS + SHA-256, the CPU-bound part of a verification) off the event loop.
parentPort!.on('message', (request: HashRequest) => {
  parentPort!.postMessage({ id: request.id, problems: request.events.map(hashProblemOf) } satisfies HashAnswer);
});

/**
 * Worker thread of bench/live-streams.bench.ts: opens the live tails and consumes their frames, so that
 * the bench's /health probe and load generator do not share an event loop with a million frames a
 * second (which would measure the bench, not the service). Plain JavaScript: workers do not run ts-node.
 *
 * Frames are scanned as bytes (no UTF-8 decoding): a frame ends at "\n\n" (JSON never contains a raw
 * newline), an audit event frame starts with "id: <sequence>\nevent: audit-event\n".
 */
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');

const FRAME_END = Buffer.from('\n\n');
const EVENT_LINE = Buffer.from('\nevent: audit-event\n');
const ID_PREFIX = Buffer.from('id: ');

const tails = [];

/**
 * One live tail, as an EventSource would run it: when the server ends the stream (a client too far
 * behind is cut off), it reconnects with Last-Event-ID and must get the rest without gap or repeat.
 * Resolves once the first connection is accepted.
 */
function openTail(url, authorization) {
  const tail = { received: 0, lastSequence: -1, misordered: 0, reconnects: 0, request: null, closing: false };
  const take = (frame, start) => {
    if (frame.compare(ID_PREFIX, 0, ID_PREFIX.length, start, start + ID_PREFIX.length) !== 0) return;
    let sequence = 0;
    let i = start + ID_PREFIX.length;
    for (; frame[i] >= 48 && frame[i] <= 57; i++) sequence = sequence * 10 + (frame[i] - 48);
    if (frame.compare(EVENT_LINE, 0, EVENT_LINE.length, i, i + EVENT_LINE.length) !== 0) return;
    if (sequence <= tail.lastSequence) tail.misordered++;
    tail.lastSequence = sequence;
    tail.received++;
  };
  const connect = () =>
    new Promise((resolve, reject) => {
      const headers = { Accept: 'text/event-stream', Authorization: authorization };
      if (tail.lastSequence >= 0) headers['Last-Event-ID'] = String(tail.lastSequence);
      const request = http.get(`${url}/v1/audit-events/stream?excludeSelfAudit=true`, { headers, agent: false });
      tail.request = request;
      request.on('error', reject);
      request.on('response', (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        // The unfinished frame at the end of the previous chunk; only it is copied, never a whole chunk.
        let pending = null;
        res.on('data', (chunk) => {
          let start = 0;
          if (pending) {
            // The frame's "\n\n" may straddle the boundary: pending's last byte and the chunk's first.
            const straddles = pending[pending.length - 1] === 10 && chunk[0] === 10;
            const end = straddles ? -1 : chunk.indexOf(FRAME_END);
            if (!straddles && end < 0) {
              pending = Buffer.concat([pending, chunk]);
              return;
            }
            take(Buffer.concat([pending, chunk.subarray(0, Math.max(0, end))]), 0);
            start = end + FRAME_END.length;
            pending = null;
          }
          let end;
          while ((end = chunk.indexOf(FRAME_END, start)) >= 0) {
            take(chunk, start);
            start = end + FRAME_END.length;
          }
          pending = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
        });
        res.on('end', () => {
          if (tail.closing) return;
          tail.reconnects++;
          connect().catch((error) => {
            console.error(error);
            process.exit(1);
          });
        });
        resolve(tail);
      });
    });
  return connect();
}

parentPort.on('message', async (message) => {
  if (message.cmd === 'open') {
    const { url, authorizations, streams } = workerData;
    const started = performance.now();
    for (let i = 0; i < streams; i += 50) {
      const batch = Array.from({ length: Math.min(50, streams - i) }, (_, k) => openTail(url, authorizations[(i + k) % authorizations.length]));
      tails.push(...(await Promise.all(batch)));
    }
    parentPort.postMessage({ cmd: 'opened', seconds: (performance.now() - started) / 1000 });
  } else if (message.cmd === 'stats') {
    parentPort.postMessage({ cmd: 'stats', received: tails.map((t) => t.received), misordered: tails.filter((t) => t.misordered > 0).length, reconnects: tails.reduce((n, t) => n + t.reconnects, 0) });
  } else if (message.cmd === 'close') {
    for (const tail of tails) {
      tail.closing = true;
      tail.request.destroy();
    }
    parentPort.postMessage({ cmd: 'closed' });
  }
});

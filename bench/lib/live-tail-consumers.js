/**
 * Worker thread of bench/live-streams.bench.ts: opens the live tails and consumes their frames, so that
 * the bench's /health probe and load generator do not share an event loop with a million frames a
 * second (which would measure the bench, not the service). Plain JavaScript: workers do not run ts-node.
 *
 * Frames are scanned as bytes (no UTF-8 decoding): a frame ends at "\n\n" (JSON never contains a raw
 * newline), a frame of interest starts with "id: <id>\nevent: <eventName>\n". workerData.kind:
 * `audit` (GET /v1/audit-events/stream, ids are sequences) or `notifications` (GET
 * /v1/notifications/stream, ids are base64url cursors of publish positions, ordered as strings).
 */
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');

const FRAME_END = Buffer.from('\n\n');
const KINDS = {
  audit: { path: '/v1/audit-events/stream?excludeSelfAudit=true', eventLine: '\nevent: audit-event\n', order: (id) => Number(id) },
  notifications: { path: '/v1/notifications/stream', eventLine: '\nevent: notification\n', order: (id) => Buffer.from(id, 'base64url').toString('utf8') },
};
const kind = KINDS[workerData.kind ?? 'audit'];
const EVENT_LINE = Buffer.from(kind.eventLine);
const ID_PREFIX = Buffer.from('id: ');

const tails = [];

/**
 * One live tail, as an EventSource would run it: when the server ends the stream (a client too far
 * behind is cut off), it reconnects with Last-Event-ID and must get the rest without gap or repeat.
 * Resolves once the first connection is accepted.
 */
function openTail(url, authorization) {
  const tail = { received: 0, lastId: null, lastOrder: null, misordered: 0, reconnects: 0, request: null, closing: false };
  const take = (frame, start) => {
    if (frame.compare(ID_PREFIX, 0, ID_PREFIX.length, start, start + ID_PREFIX.length) !== 0) return;
    const idEnd = frame.indexOf(10, start + ID_PREFIX.length);
    if (idEnd < 0 || frame.compare(EVENT_LINE, 0, EVENT_LINE.length, idEnd, idEnd + EVENT_LINE.length) !== 0) return;
    const id = frame.toString('latin1', start + ID_PREFIX.length, idEnd);
    const order = kind.order(id);
    if (tail.lastOrder !== null && order <= tail.lastOrder) tail.misordered++;
    tail.lastId = id;
    tail.lastOrder = order;
    tail.received++;
  };
  const connect = () =>
    new Promise((resolve, reject) => {
      const headers = { Accept: 'text/event-stream', Authorization: authorization };
      if (tail.lastId !== null) headers['Last-Event-ID'] = tail.lastId;
      const request = http.get(`${url}${kind.path}`, { headers, agent: false });
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

import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  receivedAt: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (timeouts). */
  delayMs?: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 for the webhook tests: records every request and answers with the
 * reply the test chose (per request, in order; then the default). `next(n)` resolves once n requests
 * have arrived, without polling the clock.
 */
export async function startWebhookReceiver(defaultReply: Reply = { status: 204 }) {
  const received: ReceivedWebhook[] = [];
  const planned: Array<Reply | ((r: ReceivedWebhook) => Reply)> = [];
  let fallback: Reply | ((r: ReceivedWebhook) => Reply) = defaultReply;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      const record: ReceivedWebhook = { headers, body, json: JSON.parse(body), receivedAt: Date.now() };
      received.push(record);
      const plan = planned.shift() ?? fallback;
      const reply = typeof plan === 'function' ? plan(record) : plan;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    /** The next requests are answered with these, in order. */
    reply(...replies: Array<Reply | ((r: ReceivedWebhook) => Reply)>) {
      planned.push(...replies);
    },
    /** Every request after the planned ones is answered with this. */
    replyAlways(reply: Reply | ((r: ReceivedWebhook) => Reply)) {
      fallback = reply;
    },
    /** Resolves once `count` requests in total have arrived; rejects after `timeoutMs`. */
    untilReceived(count: number, timeoutMs = 10_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${received.length} of ${count} requests within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

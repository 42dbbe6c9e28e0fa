/**
 * audit.events streaming to one local receiver (issue 8 item 4): throughput of a feed catching up, and
 * the delivery latency of single events once it is live. The built service runs as a child process
 * (projections in their worker thread) on embedded stores; the receiver is a plain HTTP server on
 * 127.0.0.1 in this process that answers 204 and checks one batch's signature with `standardwebhooks`.
 *
 *   1. An endpoint for audit.events is created disabled; EVENTS events are ingested (batches of 1000).
 *   2. The endpoint is enabled; the time until the receiver holds all EVENTS events (in sequence order,
 *      no gaps) gives the streaming throughput.
 *   3. LATENCY_EVENTS single events are recorded one at a time; for each, the time from the 201
 *      (durable) to its arrival at the receiver.
 * Usage: npm run build && npx ts-node --transpile-only bench/webhook-streaming.bench.ts   (env EVENTS=100000, LATENCY_EVENTS=200)
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { makeEvent, rng } from './lib/audit-events';
import { startService, token } from './lib/service';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const LATENCY_EVENTS = Number(process.env.LATENCY_EVENTS ?? 200);
const INGEST_BATCH = 1000;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-bench-'));
  let received = 0;
  let lastSequence = -1;
  let outOfOrder = 0;
  let batches = 0;
  let firstBatch: { body: string; headers: Record<string, string> } | null = null;
  const arrivals = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(body) as { data: { events: Array<{ id: string; sequence: number }> } };
      if (!firstBatch) firstBatch = { body, headers: req.headers as Record<string, string> };
      batches++;
      const now = performance.now();
      for (const event of parsed.data.events) {
        if (event.sequence !== lastSequence + 1 && lastSequence !== -1 && event.sequence <= lastSequence) outOfOrder++;
        lastSequence = Math.max(lastSequence, event.sequence);
        received++;
        arrivals.set(event.id, now);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/siem`;
  const port = 39000 + Math.floor(Math.random() * 1000);
  const service = await startService(dir, port, path.join(dir, 'service.log'), { NODE_ENV: 'development', LOG_LEVEL: 'warn' }, process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : []);
  const admin = `Bearer ${token(['super_admin'], 'bench-admin')}`;
  const writer = `Bearer ${token(['audit_writer'], 'bench-writer')}`;
  const call = async (method: string, route: string, auth: string, body?: unknown) => {
    const res = await fetch(`${service.url}${route}`, { method, headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : ((await res.json()) as Record<string, unknown>);
  };
  try {
    const endpoint = (await call('POST', '/v1/webhooks', admin, { url, eventTypes: ['audit.events'], filter: { excludeSelfAudit: true }, enabled: false }))!;
    const r = rng(8);
    const ingestStarted = performance.now();
    for (let i = 0; i < EVENTS; i += INGEST_BATCH) {
      await call('POST', '/v1/audit-events/batch', writer, { events: Array.from({ length: Math.min(INGEST_BATCH, EVENTS - i) }, () => makeEvent(r)) });
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    // Let the projections finish the ingested events first, so that they do not compete with the feed.
    for (;;) {
      const health = (await (await fetch(`${service.url}/health`)).json()) as { projections?: Array<{ eventsBehind?: number | null }> };
      if ((health.projections ?? []).every((p) => !p.eventsBehind)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const started = performance.now();
    await call('PUT', `/v1/webhooks/${endpoint.id}`, admin, { enabled: true });
    while (received < EVENTS) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    const sample = firstBatch as { body: string; headers: Record<string, string> } | null;
    const verified = sample ? Boolean(new Webhook(endpoint.secret as string).verify(sample.body, sample.headers)) : false;

    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_EVENTS; i++) {
      const event = makeEvent(r);
      await call('POST', '/v1/audit-events', writer, event);
      const durable = performance.now();
      while (!arrivals.has(event.id)) await new Promise((resolve) => setImmediate(resolve));
      latencies.push(arrivals.get(event.id)! - durable);
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    console.log(
      JSON.stringify(
        {
          events: EVENTS,
          ingestEventsPerSecond: Math.round(EVENTS / ingestSeconds),
          streamSeconds: Number(seconds.toFixed(2)),
          streamEventsPerSecond: Math.round(EVENTS / seconds),
          batches,
          outOfOrder,
          signatureVerified: verified,
          latencyMs: { samples: LATENCY_EVENTS, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: latencies[latencies.length - 1].toFixed(1) },
          cpus: os.cpus().length,
        },
        null,
        2,
      ),
    );
  } finally {
    await service.stop();
    receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});

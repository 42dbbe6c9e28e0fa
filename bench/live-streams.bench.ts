/**
 * Many live tails (issue 8 item 9): STREAMS concurrent `GET /v1/audit-events/stream` connections of one
 * tenant (spread over 50 users), then RATE events/s ingested for SECONDS. Measures the service's RSS
 * growth for the open streams, `/health` latency while they open and while events flow, and checks that
 * every stream received every event, in sequence order.
 * Usage: npm run build && npx ts-node --transpile-only bench/live-streams.bench.ts   (env STREAMS=1000, RATE=1000, SECONDS=10)
 * Targets: RSS growth ≤ 150 MB, /health p99 ≤ 50 ms in both phases, 0 streams missing or misordering an event.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEvent, rng } from './lib/audit-events';
import { percentile, round, rssMb, sleep, startService, token } from './lib/service';

const STREAMS = Number(process.env.STREAMS ?? 1000);
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const USERS = 50;
const BATCH = 50;
const PORT = 45000 + Math.floor(Math.random() * 1000);

interface Tail {
  received: number;
  lastSequence: number;
  misordered: number;
  request: http.ClientRequest;
}

function openTail(url: string, authorization: string): Promise<Tail> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/v1/audit-events/stream?excludeSelfAudit=true`, { headers: { Accept: 'text/event-stream', Authorization: authorization }, agent: false });
    request.on('error', reject);
    request.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      const tail: Tail = { received: 0, lastSequence: -1, misordered: 0, request };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(frame);
          if (!id || !frame.includes('event: audit-event')) continue;
          const sequence = Number(id[1]);
          if (sequence <= tail.lastSequence) tail.misordered++;
          tail.lastSequence = sequence;
          tail.received++;
        }
      });
      resolve(tail);
    });
  });
}

/** Probes /health every 20 ms until stopped; latencies in ms. */
function probeHealth(url: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/health`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - started);
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-live-streams-'));
  const service = await startService(path.join(dir, 'data'), PORT, path.join(dir, 'service.log'), {
    STREAM_CONCURRENCY_PER_TENANT: String(STREAMS * 2),
    STREAM_CONCURRENCY_PER_USER: String(STREAMS),
    LOG_LEVEL: 'warn',
  });
  const writer = `Bearer ${token(['audit_writer'], 'svc-bench')}`;
  const readers = Array.from({ length: USERS }, (_, i) => `Bearer ${token(['compliance_officer'], `officer-${i}`)}`);
  await sleep(1000);
  const rssBefore = rssMb(service.pid);

  let probe = probeHealth(service.url);
  const openedAt = performance.now();
  const tails: Tail[] = [];
  for (let i = 0; i < STREAMS; i += 50) {
    tails.push(...(await Promise.all(Array.from({ length: Math.min(50, STREAMS - i) }, (_, k) => openTail(service.url, readers[(i + k) % USERS])))));
  }
  const openSeconds = (performance.now() - openedAt) / 1000;
  const healthOpening = await probe.stop();
  await sleep(2000);
  const rssOpen = rssMb(service.pid);

  probe = probeHealth(service.url);
  const r = rng(11);
  let sent = 0;
  let rssPeak = rssOpen;
  const started = performance.now();
  const total = RATE * SECONDS;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (sent + BATCH <= due || (sent < due && due === total)) {
      const n = Math.min(BATCH, total - sent);
      const res = await fetch(`${service.url}/v1/audit-events/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: writer },
        body: JSON.stringify({ events: Array.from({ length: n }, () => makeEvent(r)) }),
      });
      if (res.status !== 201) throw new Error(`ingest answered ${res.status}`);
      sent += n;
    }
    rssPeak = Math.max(rssPeak, rssMb(service.pid));
    await sleep(10);
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 60_000;
  while (tails.some((t) => t.received < total) && Date.now() < deadline) {
    rssPeak = Math.max(rssPeak, rssMb(service.pid));
    await sleep(200);
  }
  const deliveredSeconds = (performance.now() - started) / 1000;
  const healthFlowing = await probe.stop();

  tails.forEach((t) => t.request.destroy());
  await sleep(5000);
  const rssAfterClose = rssMb(service.pid);
  await service.stop();

  const result = {
    streams: STREAMS,
    users: USERS,
    eventsIngested: total,
    ingestSeconds: round(ingestSeconds, 2),
    allDeliveredAfterSeconds: round(deliveredSeconds, 2),
    openSeconds: round(openSeconds, 2),
    rssBeforeMb: round(rssBefore),
    rssWithStreamsOpenMb: round(rssOpen),
    rssPeakWhileFlowingMb: round(rssPeak),
    rssAfterCloseMb: round(rssAfterClose),
    rssGrowthForStreamsMb: round(rssPeak - rssBefore),
    healthWhileOpening: { n: healthOpening.length, p50: round(percentile(healthOpening, 50)), p99: round(percentile(healthOpening, 99)), max: round(Math.max(...healthOpening)) },
    healthWhileFlowing: { n: healthFlowing.length, p50: round(percentile(healthFlowing, 50)), p99: round(percentile(healthFlowing, 99)), max: round(Math.max(...healthFlowing)) },
    streamsMissingEvents: tails.filter((t) => t.received < total).length,
    streamsWithExtraEvents: tails.filter((t) => t.received > total).length,
    streamsMisordered: tails.filter((t) => t.misordered > 0).length,
  };
  console.log(JSON.stringify(result, null, 2));
  const checks: Array<[string, boolean]> = [
    [`RSS growth for ${STREAMS} streams ≤ 150 MB (${result.rssGrowthForStreamsMb} MB)`, result.rssGrowthForStreamsMb <= 150],
    [`/health p99 while opening ≤ 50 ms (${result.healthWhileOpening.p99} ms)`, result.healthWhileOpening.p99 <= 50],
    [`/health p99 while ${RATE} events/s flow ≤ 50 ms (${result.healthWhileFlowing.p99} ms)`, result.healthWhileFlowing.p99 <= 50],
    [`every stream got every event, in order (${result.streamsMissingEvents} missing, ${result.streamsWithExtraEvents} extra, ${result.streamsMisordered} misordered)`, result.streamsMissingEvents + result.streamsWithExtraEvents + result.streamsMisordered === 0],
  ];
  for (const [label, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'} ${label}`);
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', `live-streams-${new Date().toISOString().replace(/[:.]/g, '')}.json`), JSON.stringify({ ...result, checks }, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

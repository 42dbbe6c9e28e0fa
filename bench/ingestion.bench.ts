/**
 * Ingestion benchmarks (issue 3), all in one run on this machine:
 *   1. raw better-sqlite3 insert loop of the same events (baseline: the storage floor);
 *   2. batch ingestion over HTTP: 500 events of ~1 KiB per request, 4 concurrent clients;
 *      projection lag sampled during the run, and time to catch up after load stops;
 *   3. projection lag at a steady 10,000 events/s (20 batch requests of 500 per second);
 *   4. single-event POSTs at a fixed 1,000 req/s: latency percentiles.
 * Phases 3 and 4 use an open-loop generator (bench/lib/open-loop.ts): requests evenly spaced, latency
 * counted from when each was due. Until 2026-11-29 they used autocannon's overallRate, which sends
 * each connection's quota for the second back to back: 1,000 req/s arrived as bursts of 100.
 * Then the size of both stores per 1,000,000 events, and one PASS/FAIL line per issue-10 target.
 * Usage: npm run build && npx ts-node --transpile-only bench/ingestion.bench.ts
 *   env BATCH_SECONDS (60), STEADY_SECONDS (20), STEADY_RATE (10000), SINGLE_SECONDS (30), SINGLE_RATE (1000), RAW_SECONDS (10),
 *   OCCURRED_FROM (default: none, events happen now): an ISO instant at which the events' occurredAt
 *   starts, advancing with the bench's clock. The built-in rule sensitive-access-outside-hours turns two
 *   thirds of the mix into alerts at night and on weekends (an alert storm): e.g.
 *   OCCURRED_FROM=2026-11-25T10:00:00Z (a Wednesday morning) measures the same mix without it.
 * The load generator runs on the same 2 cores as the service.
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEvent, rng } from './lib/audit-events';
import { waitCaughtUp as waitAllCaughtUp } from './lib/seed';
import { latencySummary, openLoop } from './lib/open-loop';
import { BENCH_RESULTS_DIR, writeBenchResults } from './lib/results';
import { percentile, round, rssBreakdownMb, sleep, startService, token } from './lib/service';
import { evaluateTargets, formatVerdicts, INGESTION_TARGETS } from './lib/targets';

const BATCH_SECONDS = Number(process.env.BATCH_SECONDS ?? 60);
const SINGLE_SECONDS = Number(process.env.SINGLE_SECONDS ?? 30);
const SINGLE_RATE = Number(process.env.SINGLE_RATE ?? 1000);
const RAW_SECONDS = Number(process.env.RAW_SECONDS ?? 10);
const STEADY_SECONDS = Number(process.env.STEADY_SECONDS ?? 20);
const STEADY_RATE = Number(process.env.STEADY_RATE ?? 10_000);
const BATCH = 500;
const OCCURRED_FROM = process.env.OCCURRED_FROM ? Date.parse(process.env.OCCURRED_FROM) : null;
if (OCCURRED_FROM !== null && Number.isNaN(OCCURRED_FROM)) throw new Error(`OCCURRED_FROM must be an ISO instant, got ${process.env.OCCURRED_FROM}`);
const benchStartedAt = Date.now();
/** A bench event happening now, or at OCCURRED_FROM plus the time the bench has run. */
const benchEvent = (r: () => number) => makeEvent(r, OCCURRED_FROM === null ? {} : { at: OCCURRED_FROM + (Date.now() - benchStartedAt) });
const PORT = 39000 + Math.floor(Math.random() * 1000);

function rawSqliteBaseline(dir: string): { eventsPerSec: number; events: number } {
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, revision INTEGER NOT NULL,
           event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream, revision))`);
  const insert = db.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const r = rng(7);
  let revision = 0;
  let events = 0;
  const appendBatch = db.transaction((batch: ReturnType<typeof makeEvent>[]) => {
    const now = new Date().toISOString();
    for (const e of batch) insert.run('audit-acme', revision++, e.id, 'AuditEventRecorded.v1', JSON.stringify(e), '{}', now);
  });
  const started = performance.now();
  while (performance.now() - started < RAW_SECONDS * 1000) {
    const batch = Array.from({ length: BATCH }, () => makeEvent(r));
    appendBatch(batch);
    events += BATCH;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { eventsPerSec: Math.round(events / seconds), events };
}

interface Health {
  headPosition: string | null;
  projections: Array<{ name: string; checkpoint: string | null; eventsBehind: number | null }>;
}

/**
 * What the audit_log projection has to reach: its checkpoint plus the positions it is behind the newest
 * event of its own streams (/health's eventsBehind). The log's global head would also count alert and
 * notification events, which the projection never reads: it would never "reach" them.
 */
function auditTarget(health: Health): { checkpoint: number; target: number } | null {
  const audit = health.projections.find((p) => p.name === 'audit_log');
  if (!audit || audit.checkpoint === null || audit.eventsBehind === null) return null;
  const checkpoint = Number(audit.checkpoint); // embedded store: a zero-padded global sequence
  return { checkpoint, target: checkpoint + audit.eventsBehind };
}

/** Bytes of both embedded stores (main files and WAL) in a data dir. */
function storeBytes(dataDir: string): number {
  let bytes = 0;
  for (const name of fs.readdirSync(dataDir)) if (/^(events|read)\.db(-wal)?$/.test(name)) bytes += fs.statSync(path.join(dataDir, name)).size;
  return bytes;
}

/** Samples /health: lag = time from an audit event being the newest until the audit_log checkpoint reaches it. */
function startLagSampler(url: string) {
  const pending: Array<{ at: number; target: number }> = [];
  const lags: number[] = [];
  let running = true;
  let last: Health | null = null;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      try {
        last = (await (await fetch(`${url}/health`)).json()) as Health;
        const audit = auditTarget(last);
        if (audit) {
          pending.push({ at, target: audit.target });
          while (pending.length && pending[0].target <= audit.checkpoint) lags.push(at - pending.shift()!.at);
        }
      } catch {
        // keep sampling
      }
      await sleep(25);
    }
  })();
  return {
    lags,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function waitCaughtUp(url: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const h = (await (await fetch(`${url}/health`)).json()) as Health;
    if (h.projections.find((p) => p.name === 'audit_log')?.eventsBehind === 0) return performance.now() - started;
    await sleep(10);
  }
  return Infinity;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-bench-'));
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, batch: BATCH, occurredFrom: process.env.OCCURRED_FROM ?? 'now' };
  try {
    const sample = makeEvent(rng(1));
    results.eventBytes = Buffer.byteLength(JSON.stringify(sample));

    console.log(`raw better-sqlite3 insert loop, ${RAW_SECONDS}s …`);
    results.raw = rawSqliteBaseline(dir);

    const dataDir = path.join(dir, 'data');
    const service = await startService(dataDir, PORT, path.join(dir, 'service.log'));
    let ingested = 0;
    const writer = `Bearer ${token(['audit_writer'], 'svc-bench')}`;
    try {
      const r = rng(42);
      console.log(`batch ingestion: ${BATCH} events/request, 4 connections, ${BATCH_SECONDS}s …`);
      const sampler = startLagSampler(service.url);
      let peakRss = 0;
      let peakAnon = 0;
      const rssTimer = setInterval(() => {
        const rss = rssBreakdownMb(service.pid);
        peakRss = Math.max(peakRss, rss.rss);
        peakAnon = Math.max(peakAnon, rss.anon);
      }, 500);
      const batchRun = await autocannon({
        url: service.url,
        connections: 4,
        duration: BATCH_SECONDS,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/v1/audit-events/batch',
            headers: { 'content-type': 'application/json', authorization: writer },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ events: Array.from({ length: BATCH }, () => benchEvent(r)) }) }),
          },
        ],
      });
      clearInterval(rssTimer);
      const catchUpMs = await waitCaughtUp(service.url);
      await sampler.stop();
      const accepted = batchRun['2xx'] * BATCH;
      ingested += accepted;
      results.batch = {
        seconds: BATCH_SECONDS,
        requests: batchRun['2xx'],
        non2xx: batchRun.non2xx,
        errors: batchRun.errors,
        eventsPerSec: Math.round(accepted / BATCH_SECONDS),
        latencyMs: { p50: batchRun.latency.p50, p99: batchRun.latency.p99, max: batchRun.latency.max },
        projectionLagMs: { samples: sampler.lags.length, p50: round(percentile(sampler.lags, 50)), p99: round(percentile(sampler.lags, 99)), max: round(Math.max(...sampler.lags)) },
        catchUpAfterLoadMs: round(catchUpMs),
        peakRssMb: round(peakRss),
        peakRssAnonMb: round(peakAnon),
      };

      console.log(`steady ${STEADY_RATE} events/s (${STEADY_RATE / BATCH} requests of ${BATCH}/s), ${STEADY_SECONDS}s: projection lag …`);
      const steadySampler = startLagSampler(service.url);
      const steadyRun = await openLoop({
        url: service.url,
        method: 'POST',
        path: '/v1/audit-events/batch',
        headers: { 'content-type': 'application/json', authorization: writer },
        rate: STEADY_RATE / BATCH,
        seconds: STEADY_SECONDS,
        connections: 8,
        timeoutMs: 30_000,
        body: () => JSON.stringify({ events: Array.from({ length: BATCH }, () => benchEvent(r)) }),
      });
      const steadyCatchUpMs = await waitCaughtUp(service.url);
      await steadySampler.stop();
      ingested += steadyRun['2xx'] * BATCH;
      results.steady = {
        targetEventsPerSec: STEADY_RATE,
        seconds: STEADY_SECONDS,
        achievedEventsPerSec: Math.round((steadyRun['2xx'] * BATCH) / STEADY_SECONDS),
        non2xx: steadyRun.non2xx,
        errors: steadyRun.errors,
        requestLatencyMs: latencySummary(steadyRun.latencies),
        projectionLagMs: { samples: steadySampler.lags.length, p50: round(percentile(steadySampler.lags, 50)), p99: round(percentile(steadySampler.lags, 99)), max: round(Math.max(...steadySampler.lags)) },
        catchUpAfterLoadMs: round(steadyCatchUpMs),
      };

      // The single POSTs are measured on a settled service: the earlier phases' backlog (the monitoring
      // engine and notifications catch up after audit_log) would otherwise be measured with them.
      const settleStarted = performance.now();
      await waitAllCaughtUp(service.url);
      const settledBeforeSingleMs = round(performance.now() - settleStarted);
      console.log(`single-event POSTs at ${SINGLE_RATE} req/s, ${SINGLE_SECONDS}s …`);
      const single = await openLoop({
        url: service.url,
        method: 'POST',
        path: '/v1/audit-events',
        headers: { 'content-type': 'application/json', authorization: writer },
        rate: SINGLE_RATE,
        seconds: SINGLE_SECONDS,
        connections: 100,
        timeoutMs: 10_000,
        body: () => JSON.stringify(benchEvent(r)),
      });
      results.single = {
        targetRate: SINGLE_RATE,
        seconds: SINGLE_SECONDS,
        achievedRate: round(single['2xx'] / SINGLE_SECONDS),
        non2xx: single.non2xx,
        errors: single.errors,
        settledBeforeMs: settledBeforeSingleMs,
        latencyMs: latencySummary(single.latencies),
      };
      ingested += single['2xx'];
      await waitCaughtUp(service.url);
      const bytes = storeBytes(dataDir);
      // Below 100,000 events the files' fixed overhead (WAL, page preallocation) dominates: not judged.
      results.storage = { events: ingested, megabytes: round(bytes / 1e6), gbPerMillionEvents: ingested >= 100_000 ? round((bytes / 1e9) * (1_000_000 / ingested), 2) : undefined };
    } finally {
      await service.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  results.targets = evaluateTargets(INGESTION_TARGETS, results);
  const out = writeBenchResults(BENCH_RESULTS_DIR, 'ingestion', results);
  console.log(JSON.stringify(results, null, 2));
  for (const line of formatVerdicts(results.targets as ReturnType<typeof evaluateTargets>)) console.log(line);
  console.log(`written to ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

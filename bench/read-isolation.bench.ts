/**
 * Read isolation (issue 14 item 4): do long reads of one tenant stall everyone else?
 *
 * Seeds tenant `acme` with EVENTS (~100k) events through the batch API, then measures, in one run:
 *   1. baseline: /health latency and single-event ingestion latency (paced probes), nothing else;
 *   2. loaded: the same probes while LOAD_VERIFIES verifies, LOAD_EXPORTS NDJSON exports and
 *      LOAD_SCANS non-matching filtered list scans (following nextCursor to the end) of `acme` run
 *      in closed loops. Clients answered 429 wait Retry-After and try again (well-behaved clients).
 * The load runs in a child process so that the prober's own event loop measures the service, not
 * the load generator (the prober reports its own loop delay too).
 *
 * Usage: npm run bench:read-isolation
 *   env EVENTS (100000), BASELINE_SECONDS (60), LOADED_SECONDS (60), PROBE_INTERVAL_MS (20),
 *       LOAD_VERIFIES (4), LOAD_EXPORTS (20), LOAD_SCANS (20), BENCH_DATA_DIR (reuse a seeded dir),
 *       SERVICE_ENV (extra service environment as JSON, e.g. '{"READ_CONCURRENCY_PER_TENANT":"64"}')
 * Loopback only; everything is bounded in time.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { makeEvent, rng } from './lib/audit-events';
import { seedThroughBatchApi, waitCaughtUp } from './lib/seed';
import { percentile, round, rssMb, RunningService, sleep, startService, token } from './lib/service';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
// 60 s gives ~1,400 ingestion probes per phase: a p99 from ~480 (20 s) moved by ±30% between runs,
// and the goal compares two p99s (docs/PERFORMANCE.md, 2026-11-29 night).
const BASELINE_SECONDS = Number(process.env.BASELINE_SECONDS ?? 60);
const LOADED_SECONDS = Number(process.env.LOADED_SECONDS ?? 60);
const PROBE_INTERVAL_MS = Number(process.env.PROBE_INTERVAL_MS ?? 20);
const LOAD = {
  verifies: Number(process.env.LOAD_VERIFIES ?? 4),
  exports: Number(process.env.LOAD_EXPORTS ?? 20),
  scans: Number(process.env.LOAD_SCANS ?? 20),
};
const SEED_SPAN_MS = 7 * 86_400_000;
const TENANT = 'acme';
const PROBE_WRITER = `Bearer ${token(['audit_writer'], 'svc-probe', TENANT)}`;
const NON_MATCHING_SCAN = '/v1/audit-events?resourceType=no-such-type&limit=50';

// ---------------------------------------------------------------------------------------------
// Load child: closed loops of verifies, exports and scans until the deadline; prints its tallies.
// ---------------------------------------------------------------------------------------------

interface LoadTally {
  started: number;
  completed: number;
  refused429: number;
  failed: number;
  rows: number;
  bytes: number;
  requests: number;
  errors: Record<string, number>;
}

async function runLoad(url: string, seconds: number): Promise<void> {
  const auth = `Bearer ${token(['auditor'], 'load-reader', TENANT)}`;
  const deadline = Date.now() + seconds * 1000;
  const tally = (): LoadTally => ({ started: 0, completed: 0, refused429: 0, failed: 0, rows: 0, bytes: 0, requests: 0, errors: {} });
  const tallies = { verify: tally(), export: tally(), scan: tally() };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every request of the phase listens to the one deadline signal
  setTimeout(() => controller.abort(), seconds * 1000).unref();

  /** One request; on 429 waits Retry-After (bounded by the deadline). Returns the response if admitted. */
  async function admitted(t: LoadTally, pathAndQuery: string): Promise<Response | null> {
    t.requests++;
    const res = await fetch(`${url}${pathAndQuery}`, { headers: { authorization: auth }, signal: controller.signal });
    if (res.status === 429) {
      t.refused429++;
      await res.arrayBuffer();
      const wait = Number(res.headers.get('retry-after') ?? '1') * 1000;
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
      return null;
    }
    if (!res.ok) {
      t.failed++;
      await res.arrayBuffer();
      await sleep(200);
      return null;
    }
    return res;
  }

  const loops: Array<Promise<void>> = [];
  const loop = (t: LoadTally, body: () => Promise<void>) =>
    loops.push(
      (async () => {
        while (Date.now() < deadline) {
          try {
            await body();
          } catch (error) {
            if (controller.signal.aborted) return;
            // e.g. a connect timeout while the service does not accept connections: count it, go on
            t.failed++;
            t.errors[String((error as Error).cause ?? error).slice(0, 80)] = (t.errors[String((error as Error).cause ?? error).slice(0, 80)] ?? 0) + 1;
            await sleep(200);
          }
        }
      })(),
    );

  for (let i = 0; i < LOAD.verifies; i++) {
    loop(tallies.verify, async () => {
      const res = await admitted(tallies.verify, '/v1/integrity/verify');
      if (!res) return;
      tallies.verify.started++;
      const body = (await res.json()) as { checked: number; valid: boolean };
      tallies.verify.rows += body.checked;
      tallies.verify.completed++;
    });
  }
  for (let i = 0; i < LOAD.exports; i++) {
    loop(tallies.export, async () => {
      const res = await admitted(tallies.export, '/v1/audit-events/export?format=ndjson');
      if (!res) return;
      tallies.export.started++;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        tallies.export.bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) tallies.export.rows++;
      }
      tallies.export.completed++;
    });
  }
  for (let i = 0; i < LOAD.scans; i++) {
    loop(tallies.scan, async () => {
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await admitted(tallies.scan, `${NON_MATCHING_SCAN}${cursor ? `&cursor=${cursor}` : ''}`);
        if (!res) return;
        if (pages++ === 0) tallies.scan.started++;
        const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
        tallies.scan.rows += body.items.length;
        cursor = body.nextCursor;
      } while (cursor && Date.now() < deadline);
      if (!cursor) tallies.scan.completed++;
    });
  }
  await Promise.all(loops);
  process.stdout.write(JSON.stringify(tallies) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Prober: paced /health and single-event POSTs, independent of how long each answer takes.
// ---------------------------------------------------------------------------------------------

interface ProbeResult {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

async function probe(url: string, seconds: number, writer: string): Promise<{ health: ProbeResult; ingest: ProbeResult; errorKinds: Record<string, number> }> {
  const health: number[] = [];
  const ingest: number[] = [];
  let healthErrors = 0;
  let ingestErrors = 0;
  const errorKinds: Record<string, number> = {};
  const noteError = (kind: string) => (errorKinds[kind] = (errorKinds[kind] ?? 0) + 1);
  const inFlight: Array<Promise<void>> = [];
  const r = rng(42);
  const timed = async (samples: number[], onError: () => void, send: () => Promise<Response>) => {
    const started = performance.now();
    try {
      const res = await send();
      await res.arrayBuffer();
      if (res.status >= 400) {
        onError();
        noteError(`HTTP ${res.status}`);
      } else samples.push(performance.now() - started);
    } catch (error) {
      onError();
      noteError(String((error as Error).cause ?? (error as Error).message).slice(0, 80));
    }
  };
  const deadline = performance.now() + seconds * 1000;
  let tick = 0;
  // Health and ingestion probes alternate ticks, each at 2 × PROBE_INTERVAL_MS.
  while (performance.now() < deadline) {
    if (tick++ % 2 === 0) {
      inFlight.push(timed(health, () => healthErrors++, () => fetch(`${url}/health`, { signal: AbortSignal.timeout(60_000) })));
    } else {
      inFlight.push(
        timed(ingest, () => ingestErrors++, () =>
          fetch(`${url}/v1/audit-events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: writer },
            body: JSON.stringify(makeEvent(r)),
            signal: AbortSignal.timeout(60_000),
          }),
        ),
      );
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  await Promise.all(inFlight);
  const summary = (samples: number[], errors: number): ProbeResult => ({
    requests: samples.length + errors,
    errors,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: round(Math.max(...samples)),
  });
  return { health: summary(health, healthErrors), ingest: summary(ingest, ingestErrors), errorKinds };
}

function startLoadChild(url: string, seconds: number): Promise<Record<string, LoadTally>> {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', __filename], {
    env: { ...process.env, READ_ISOLATION_LOAD_URL: url, READ_ISOLATION_LOAD_SECONDS: String(seconds) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load child exited with ${code}`)))),
  );
}

type Probes = Awaited<ReturnType<typeof probe>>;

async function loadedPhase(service: RunningService, label: string, baseline: Probes, loopDelay: IntervalHistogram): Promise<Record<string, unknown>> {
  console.log(`${label}: ${LOAD.verifies} verifies, ${LOAD.exports} exports, ${LOAD.scans} non-matching scans, ${LOADED_SECONDS} s …`);
  let peakRss = rssMb(service.pid);
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(service.pid))), 200);
  const load = startLoadChild(service.url, LOADED_SECONDS + 5);
  await sleep(2_000); // the load child starts (ts-node) and its first requests are admitted
  loopDelay.reset();
  const loaded = await probe(service.url, LOADED_SECONDS, PROBE_WRITER);
  const proberLoopDelayP99Ms = round(loopDelay.percentile(99) / 1e6);
  const tallies = await load;
  clearInterval(rssTimer);
  const verdict = {
    healthP99Ms: loaded.health.p99,
    // Unanswered probes (timeouts, refused connections) count as misses, whatever the answered ones show.
    healthGoalMet: loaded.health.errors === 0 && loaded.health.p99 <= 50,
    ingestP99RatioToBaseline: round(loaded.ingest.p99 / baseline.ingest.p99, 2),
    ingestGoalMet: loaded.ingest.errors === 0 && loaded.ingest.p99 <= 2 * baseline.ingest.p99,
  };
  const result = { ...loaded, peakRssMb: round(peakRss), proberLoopDelayP99Ms, load: tallies, verdict };
  console.log(label, JSON.stringify(result));
  return result;
}

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'audit-read-isolation-'));
  const logFile = path.join(os.tmpdir(), `audit-read-isolation-${process.pid}.log`);
  const port = 42000 + Math.floor(Math.random() * 1000);
  const serviceEnv = process.env.SERVICE_ENV ? (JSON.parse(process.env.SERVICE_ENV) as Record<string, string>) : {};
  let service = await startService(dataDir, port, logFile, serviceEnv);
  const writer = `Bearer ${token(['audit_writer'], 'svc-seed', TENANT)}`;
  const reader = `Bearer ${token(['auditor'], 'bench-reader', TENANT)}`;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    serviceEnv,
    load: LOAD,
    probeIntervalMs: PROBE_INTERVAL_MS,
  };
  try {
    const head = (await (await fetch(`${service.url}/v1/integrity/verify?fromSequence=0&toSequence=0`, { headers: { authorization: reader } })).json()) as { headSequence: number };
    if (head.headSequence + 1 < EVENTS) {
      console.log(`seeding ${EVENTS} events into tenant ${TENANT} through the batch API …`);
      results.seedEventsPerSec = Math.round(await seedThroughBatchApi(service.url, writer, EVENTS - head.headSequence - 1, Date.now() - SEED_SPAN_MS - 3_600_000, SEED_SPAN_MS));
    }
    await waitCaughtUp(service.url);
    const verify = (await (await fetch(`${service.url}/v1/integrity/verify`, { headers: { authorization: reader } })).json()) as { checked: number };
    results.tenantEvents = verify.checked;
    console.log(`tenant ${TENANT}: ${verify.checked} events; baseline ${BASELINE_SECONDS} s …`);

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const baseline = await probe(service.url, BASELINE_SECONDS, PROBE_WRITER);
    results.baseline = { ...baseline, rssMb: round(rssMb(service.pid)) };
    console.log('baseline', JSON.stringify(results.baseline));

    results.loaded = await loadedPhase(service, 'loaded (default per-tenant limits)', baseline, loopDelay);
    if (process.env.LIFTED_PHASE !== '0') {
      // The same load with the per-tenant limits lifted: every long read is admitted, so this shows
      // what time-slicing alone does (and the memory of 20 concurrent exports).
      await service.stop();
      const lifted = { ...serviceEnv, READ_CONCURRENCY_PER_TENANT: '1000', LIST_CONCURRENCY_PER_TENANT: '1000' };
      service = await startService(dataDir, port, logFile, lifted);
      await waitCaughtUp(service.url);
      results.loadedLimitsLifted = { serviceEnv: lifted, ...(await loadedPhase(service, 'loaded (limits lifted)', baseline, loopDelay)) };
    }
  } finally {
    await service.stop();
    if (!process.env.BENCH_DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  const out = path.join(__dirname, 'results', `read-isolation-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`written to ${out}`);
}

const loadUrl = process.env.READ_ISOLATION_LOAD_URL;
(loadUrl ? runLoad(loadUrl, Number(process.env.READ_ISOLATION_LOAD_SECONDS)) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});

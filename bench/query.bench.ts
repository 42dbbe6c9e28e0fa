/**
 * Query and export benchmarks on 1,000,000 events in one tenant (issue 3):
 *   - p50/p95 latency of GET /v1/audit-events (limit 50) for each filter alone, combined, and for
 *     page 20 through the cursor; each request is self-audited (an append) as in production;
 *   - NDJSON export of every event: events/s and the service's peak RSS.
 * Usage: npm run build && npx ts-node --transpile-only bench/query.bench.ts
 *   env EVENTS (1000000), RUNS (60 per query), BENCH_DATA_DIR (reuse a seeded data dir between runs)
 * Seeding goes through the batch API (4 clients); occurredAt spans 30 days, in order, as a log does.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rng } from './lib/audit-events';
import { seedThroughBatchApi, waitCaughtUp } from './lib/seed';
import { BENCH_RESULTS_DIR, writeBenchResults } from './lib/results';
import { percentile, round, rssBreakdownMb, rssMb, startService, token } from './lib/service';
import { evaluateTargets, formatVerdicts, QUERY_TARGETS } from './lib/targets';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 60);
const SPAN_MS = 30 * 86_400_000;
const PORT = 41000 + Math.floor(Math.random() * 1000);

async function timed(url: string, auth: string, pathAndQuery: string): Promise<{ ms: number; body: { items: unknown[]; nextCursor: string | null } }> {
  const started = performance.now();
  const res = await fetch(`${url}${pathAndQuery}`, { headers: { authorization: auth } });
  const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
  if (!res.ok) throw new Error(`${pathAndQuery} → ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'audit-query-bench-'));
  const logFile = path.join(os.tmpdir(), `audit-query-bench-${process.pid}.log`);
  const service = await startService(dataDir, PORT, logFile);
  const writer = `Bearer ${token(['audit_writer'], 'svc-seed')}`;
  const reader = `Bearer ${token(['compliance_officer'], 'carol')}`;
  const results: Record<string, unknown> = { date: new Date().toISOString(), events: EVENTS, runsPerQuery: RUNS };
  try {
    const verify = (await (await fetch(`${service.url}/v1/integrity/verify?fromSequence=0&toSequence=0`, { headers: { authorization: reader } })).json()) as { headSequence: number };
    const start = Date.now() - SPAN_MS - 3_600_000;
    if (verify.headSequence + 1 < EVENTS) {
      console.log(`seeding ${EVENTS} events through the batch API …`);
      results.seedEventsPerSec = Math.round(await seedThroughBatchApi(service.url, writer, EVENTS, start, SPAN_MS));
    }
    // Queries are measured on a settled service: every projection caught up, not only audit_log
    // (the monitoring engine catching up on a seeded month competes for the CPU otherwise).
    const settling = performance.now();
    await waitCaughtUp(service.url);
    results.settledAfterSeedMs = Math.round(performance.now() - settling);
    console.log(`every projection caught up ${results.settledAfterSeedMs} ms after seeding`);
    // Only meaningful when this process did the ingesting (a reused BENCH_DATA_DIR starts fresh).
    if (results.seedEventsPerSec !== undefined) results.rssAfterSeedMb = round(rssMb(service.pid));
    let storeBytes = 0;
    for (const name of fs.readdirSync(dataDir)) if (/^(events|read)\.db(-wal)?$/.test(name)) storeBytes += fs.statSync(path.join(dataDir, name)).size;
    results.storage = { megabytes: round(storeBytes / 1e6), gbPerMillionEvents: round((storeBytes / 1e9) * (1_000_000 / EVENTS), 2) };
    const r = rng(5);
    const day = () => new Date(start + Math.floor(r() * 29) * 86_400_000).toISOString();
    const q = (params: Record<string, string>) => `/v1/audit-events?${new URLSearchParams({ limit: '50', ...params })}`;
    const pickOf = <T>(list: T[]) => list[Math.floor(r() * list.length)];
    const queries: Record<string, () => string> = {
      'no filter (newest 50)': () => q({}),
      'from/to (1 day)': () => {
        const from = day();
        return q({ from, to: new Date(Date.parse(from) + 86_400_000).toISOString() });
      },
      actorId: () => q({ actorId: `user-${Math.floor(r() * 1000)}` }),
      actorType: () => q({ actorType: pickOf(['user', 'admin', 'ai_agent', 'service']) }),
      resourceType: () => q({ resourceType: pickOf(['invoice', 'customer', 'report', 'role', 'payment', 'contract']) }),
      'resourceType+resourceId': () => {
        const type = pickOf(['invoice', 'customer', 'report', 'role', 'payment', 'contract']);
        return q({ resourceType: type, resourceId: `${type}-${Math.floor(r() * 5000)}` });
      },
      action: () => q({ action: pickOf(['invoice.update', 'customer.view', 'role.assign', 'login', 'record.delete']) }),
      outcome: () => q({ outcome: pickOf(['failure', 'denied']) }),
      channel: () => q({ channel: pickOf(['ui', 'api', 'workflow', 'system']) }),
      'combined: actorId+action+from/to (7 days)': () => {
        const from = day();
        return q({ actorId: `user-${Math.floor(r() * 1000)}`, action: 'invoice.update', from, to: new Date(Date.parse(from) + 7 * 86_400_000).toISOString() });
      },
      'combined: resourceType+outcome+channel': () => q({ resourceType: 'payment', outcome: 'failure', channel: 'ui' }),
    };
    const latency: Record<string, { p50: number; p95: number; max: number }> = {};
    for (const [name, build] of Object.entries(queries)) {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push((await timed(service.url, reader, build())).ms);
      latency[name] = { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), max: round(Math.max(...samples)) };
      console.log(name.padEnd(45), JSON.stringify(latency[name]));
    }
    const page20: number[] = [];
    for (let i = 0; i < Math.max(5, RUNS / 6); i++) {
      let cursor: string | null = null;
      for (let p = 1; p <= 20; p++) {
        const { ms, body }: { ms: number; body: { nextCursor: string | null } } = await timed(service.url, reader, q(cursor ? { cursor } : {}));
        if (p === 20) page20.push(ms);
        cursor = body.nextCursor;
      }
    }
    latency['page 20 via cursor'] = { p50: round(percentile(page20, 50)), p95: round(percentile(page20, 95)), max: round(Math.max(...page20)) };
    console.log('page 20 via cursor'.padEnd(45), JSON.stringify(latency['page 20 via cursor']));
    results.queryLatencyMs = latency;
    results.slowestQueryP95Ms = Math.max(...Object.values(latency).map((l) => l.p95));

    // The target is for a cold page cache: drop it where this process may (root on Linux).
    const pageCache = dropPageCache();
    console.log(`NDJSON export of the whole log (page cache: ${pageCache}) …`);
    let peakRss = rssMb(service.pid);
    let peakAnon = rssBreakdownMb(service.pid).anon;
    const rssTimer = setInterval(() => {
      const rss = rssBreakdownMb(service.pid);
      peakRss = Math.max(peakRss, rss.rss);
      peakAnon = Math.max(peakAnon, rss.anon);
    }, 200);
    const started = performance.now();
    const res = await fetch(`${service.url}/v1/audit-events/export?format=ndjson`, { headers: { authorization: reader } });
    let lines = 0;
    let bytes = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      const text = decoder.decode(chunk, { stream: true });
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(rssTimer);
    results.export = { pageCache, events: lines, megabytes: round(bytes / 1e6), seconds: round(seconds, 2), eventsPerSec: Math.round(lines / seconds), peakRssMb: round(peakRss), peakRssAnonMb: round(peakAnon) };
    console.log(JSON.stringify(results.export));
  } finally {
    await service.stop();
    if (!process.env.BENCH_DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  results.targets = evaluateTargets(QUERY_TARGETS, results);
  const out = writeBenchResults(BENCH_RESULTS_DIR, 'query', results);
  for (const line of formatVerdicts(results.targets as ReturnType<typeof evaluateTargets>)) console.log(line);
  console.log(`written to ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/** Writes dirty pages and drops the page cache; says what it did. */
function dropPageCache(): string {
  try {
    execFileSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return 'cold (dropped)';
  } catch (error) {
    return `warm (could not drop it: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

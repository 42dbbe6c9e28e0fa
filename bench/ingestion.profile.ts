/**
 * Where ingestion's time goes (issue 10 item 1): the built service with --cpu-prof (one profile per
 * thread: main and projection worker), SECONDS of batch ingestion (500 × ~1 KiB, 4 clients), then a
 * clean stop so that the profiles are written; prints the heaviest functions of each thread by self
 * time. Profiles stay in PROFILE_DIR for Chrome DevTools.
 * Usage: npm run build && npx ts-node --transpile-only bench/ingestion.profile.ts
 *   env SECONDS (20), PROFILE_DIR, TOP (25), NODE_ARGS (extra node options for the service, e.g. --max-old-space-size=256),
 *   SHAPE (batch | single: single-event POSTs at SINGLE_RATE (1000) req/s, open loop (bench/lib/open-loop.ts), latency printed)
 */
import autocannon from 'autocannon';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEvent, rng } from './lib/audit-events';
import { latencySummary, openLoop } from './lib/open-loop';
import { waitCaughtUp } from './lib/seed';
import { rssMb, startService, token } from './lib/service';

const SECONDS = Number(process.env.SECONDS ?? 20);
const TOP = Number(process.env.TOP ?? 25);
const PORT = 43000 + Math.floor(Math.random() * 1000);
const SHAPE = process.env.SHAPE ?? 'batch';
const SINGLE_RATE = Number(process.env.SINGLE_RATE ?? 1000);
if (SHAPE !== 'batch' && SHAPE !== 'single') throw new Error(`SHAPE must be batch or single, got ${SHAPE}`);

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms), heaviest first. */
export function selfTimes(profile: CpuProfile): Array<{ name: string; ms: number; share: number }> {
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byName.set(name, (byName.get(name) ?? 0) + (timeOf.get(node.id) ?? 0) / 1000);
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  return [...byName.entries()].map(([name, ms]) => ({ name, ms, share: ms / total })).sort((a, b) => b.ms - a.ms);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-ingestion-profile-'));
  const profileDir = process.env.PROFILE_DIR ?? path.join(dir, 'profiles');
  fs.mkdirSync(profileDir, { recursive: true });
  const nodeArgs = [...(process.env.NODE_ARGS ?? '').split(' ').filter(Boolean), '--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const service = await startService(path.join(dir, 'data'), PORT, path.join(dir, 'service.log'), {}, nodeArgs);
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMb(service.pid))), 500);
  const writer = `Bearer ${token(['audit_writer'], 'svc-bench')}`;
  const r = rng(42);
  const single = SHAPE === 'single' ? await openLoop({ url: service.url, method: 'POST', path: '/v1/audit-events', headers: { 'content-type': 'application/json', authorization: writer }, rate: SINGLE_RATE, seconds: SECONDS, connections: 100, timeoutMs: 10_000, body: () => JSON.stringify(makeEvent(r)) }) : null;
  const batch =
    SHAPE === 'batch'
      ? await autocannon({
          url: service.url,
          connections: 4,
          duration: SECONDS,
          timeout: 30,
          requests: [
            {
              method: 'POST',
              path: '/v1/audit-events/batch',
              headers: { 'content-type': 'application/json', authorization: writer },
              setupRequest: (req) => ({ ...req, body: JSON.stringify({ events: Array.from({ length: 500 }, () => makeEvent(r)) }) }),
            },
          ],
        })
      : null;
  clearInterval(rssTimer);
  const accepted = batch ? batch['2xx'] * 500 : single!['2xx'];
  console.log(`${Math.round(accepted / SECONDS)} events/s accepted over ${SECONDS} s (${(batch ?? single)!.non2xx} non-2xx); service peak RSS ${Math.round(peakRss)} MB`);
  const latency = batch ? batch.latency : latencySummary(single!.latencies);
  console.log(`request latency ms: p50 ${latency.p50}, p90 ${latency.p90}, p99 ${latency.p99}, max ${latency.max}`);
  // The worker thread writes its profile only when it exits by itself: let the projections catch up first.
  const catchUp = performance.now();
  await waitCaughtUp(service.url);
  console.log(`projections caught up ${Math.round(performance.now() - catchUp)} ms after the load stopped`);
  await service.stop('SIGTERM');
  for (const file of fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
    console.log(`\n${file}`);
    for (const { name, ms, share } of selfTimes(profile).slice(0, TOP)) console.log(`${ms.toFixed(0).padStart(8)} ms ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
  console.log(`\nprofiles: ${profileDir}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

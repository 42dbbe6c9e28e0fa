/**
 * Express vs Fastify ingestion benchmark for POST /v1/audit-events/batch.
 *
 *   DURATION=20 npx ts-node --transpile-only bench/http-platform/run.ts   (from repo root)
 *
 * Each scenario starts app.ts in a child process on 127.0.0.1:<free port>, warms up for 5 s,
 * then runs autocannon (in this process) for DURATION s. Server and load generator share the
 * machine's cores, so absolute numbers are a lower bound; the comparison is what matters.
 */
import { ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';

// autocannon ships no typings (and @types/autocannon isn't installed): declare the parts we use.
type CannonResult = { requests: { total: number }; duration: number; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number };
const autocannon: (opts: Record<string, unknown>) => Promise<CannonResult> = require('autocannon');

const DURATION = Number(process.env.DURATION ?? 20);
const WARMUP = 5;
const CONNECTIONS = 4;
const BATCH = 500;
const PATH = '/v1/audit-events/batch';
const HEADERS = { 'content-type': 'application/json' };

// ---- payload: deterministic pseudo-random events of ~1 KiB each ----
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
const word = () => pick(['alpha', 'invoice', 'customer', 'ledger', 'policy', 'export', 'limit', 'status', 'region', 'owner']);

function makeEvent() {
  const resType = pick(['invoice', 'customer', 'document', 'user', 'report']);
  return {
    id: uuid(),
    occurredAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(rnd() * 3e10)).toISOString(),
    actor: {
      id: `usr_${hex(16)}`,
      type: pick(['user', 'admin', 'ai_agent', 'service', 'system']),
      role: pick(['accountant', 'auditor', 'operator', 'viewer']),
      sessionId: `sess_${hex(24)}`,
      ip: `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    },
    action: `${resType}.${pick(['created', 'updated', 'deleted', 'exported', 'viewed'])}`,
    outcome: pick(['success', 'failure', 'denied']),
    resource: { type: resType, id: `${resType}_${hex(12)}`, name: `${word()} ${word()} ${hex(4)}`, sensitivity: pick(['public', 'internal', 'personal', 'financial', 'restricted']) },
    changes: {
      before: { status: word(), amount: Math.round(rnd() * 1e6) / 100, currency: 'EUR', owner: `usr_${hex(8)}`, tags: [word(), word()], approved: false },
      after: { status: word(), amount: Math.round(rnd() * 1e6) / 100, currency: 'EUR', owner: `usr_${hex(8)}`, tags: [word(), word(), word()], approved: true },
    },
    channel: pick(['ui', 'api', 'workflow', 'system']),
    context: { requestId: `req_${hex(16)}`, correlationId: uuid(), sourceService: pick(['billing-api', 'crm-web', 'etl-worker']) },
    metadata: { tenantRegion: pick(['eu-west-1', 'eu-central-1']), clientVersion: `3.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 10)}`, note: hex(40) },
  };
}

// A few distinct batches; autocannon cycles through them.
const bodies = Array.from({ length: 4 }, () => JSON.stringify({ events: Array.from({ length: BATCH }, makeEvent) }));
const avgEventBytes = Math.round(bodies[0].length / BATCH);

// ---- child process helpers ----
function startServer(platform: string, validate: boolean): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(__dirname, 'app.ts'), [platform, validate ? 'validate' : 'novalidate'], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', (m: any) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${platform} server exited early (code ${code})`)));
  });
}

const cpuOf = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    child.once('message', (m: any) => resolve((m.cpu.user + m.cpu.system) / 1000)); // ms
    child.send('cpu');
  });

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const children = new Set<ChildProcess>();
const killAll = () => children.forEach((c) => c.kill('SIGKILL'));
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { killAll(); process.exit(130); });

// ---- one scenario ----
async function sanityCheck(base: string, validate: boolean) {
  const ok = await fetch(base + PATH, { method: 'POST', headers: HEADERS, body: bodies[0] });
  const json: any = await ok.json();
  if (ok.status !== 201 || json.results?.length !== BATCH) throw new Error(`sanity: got ${ok.status} ${JSON.stringify(json).slice(0, 200)}`);
  if (validate) {
    const bad = JSON.parse(bodies[0]);
    bad.events[7].unexpected = 1; // forbidNonWhitelisted must reject this
    const res = await fetch(base + PATH, { method: 'POST', headers: HEADERS, body: JSON.stringify(bad) });
    if (res.status !== 400) throw new Error(`sanity: validation not active (status ${res.status})`);
  }
}

const cannon = (url: string, duration: number) =>
  autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: bodies.map((body) => ({ method: 'POST', path: PATH, headers: HEADERS, body })),
  });

async function runScenario(platform: string, validate: boolean) {
  const name = `${platform} ${validate ? '+validation' : 'no validation'}`;
  const { child, port } = await startServer(platform, validate);
  try {
    const base = `http://127.0.0.1:${port}`;
    await sanityCheck(base, validate);
    process.stdout.write(`${name}: warmup ${WARMUP}s, measure ${DURATION}s ... `);
    await cannon(base, WARMUP);
    const cpu0 = await cpuOf(child);
    const loadCpu0 = process.cpuUsage();
    const r = await cannon(base, DURATION);
    const serverCpuMs = (await cpuOf(child)) - cpu0;
    const loadCpu = process.cpuUsage(loadCpu0);
    const failures = r.non2xx + r.errors + r.timeouts;
    if (failures > 0) throw new Error(`${name}: non2xx=${r.non2xx} errors=${r.errors} timeouts=${r.timeouts}`);
    const reqPerSec = r.requests.total / r.duration;
    const row = {
      platform,
      validation: validate,
      reqPerSec: +reqPerSec.toFixed(1),
      eventsPerSec: Math.round(reqPerSec * BATCH),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      requests: r.requests.total,
      serverCpuMsPerReq: +(serverCpuMs / r.requests.total).toFixed(2),
      serverCpuPct: Math.round((serverCpuMs / (r.duration * 1000)) * 100),
      loadGenCpuPct: Math.round(((loadCpu.user + loadCpu.system) / 1000 / (r.duration * 1000)) * 100),
    };
    console.log(`${row.reqPerSec} req/s, ${row.eventsPerSec} events/s`);
    return row;
  } finally {
    await stop(child);
  }
}

async function main() {
  console.log(`batch=${BATCH} events (~${avgEventBytes} B/event, ~${Math.round(bodies[0].length / 1024)} KiB/request), ` +
    `connections=${CONNECTIONS}, warmup=${WARMUP}s, duration=${DURATION}s, node ${process.version}`);
  // Other work on the box skews results; check this is ~0 before trusting the numbers.
  console.log(`load average before start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const rows = [];
  for (const validate of [true, false]) for (const platform of ['express', 'fastify']) rows.push(await runScenario(platform, validate));

  const table = [
    '| platform | validation | req/s | events/s | p50 ms | p99 ms | non-2xx | server CPU ms/req | server CPU % | loadgen CPU % |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.platform} | ${r.validation ? 'yes' : 'no'} | ${r.reqPerSec} | ${r.eventsPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.serverCpuMsPerReq} | ${r.serverCpuPct} | ${r.loadGenCpuPct} |`),
  ].join('\n');
  console.log('\n' + table);
  console.log('\nNote: server and autocannon run on the same 2-core machine (separate processes).');
  const out = join(__dirname, 'results.json');
  const loadAvgAfter = loadavg()[0];
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, batch: BATCH, avgEventBytes, connections: CONNECTIONS, warmupSec: WARMUP, durationSec: DURATION, loadAvg1mAfter: loadAvgAfter, results: rows }, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

main().then(
  () => process.exit(0),
  (err) => { console.error('BENCHMARK FAILED:', err.message ?? err); process.exit(1); },
);

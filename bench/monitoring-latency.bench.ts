/**
 * Monitoring latency under load (issue 7 item 9 a + b): the built service (worker projections,
 * embedded stores, NODE_ENV=production) ingests RATE events/s for DURATION s with the four default
 * rules enabled, then again with them disabled, in the same run on the same service.
 *
 * (a) Every TRIGGER_MS one event of the batch is a `webhook.update` success, which the built-in
 *     `security-config-change` rule (match, no suppression) turns into an alert at once. For each:
 *     durable = the batch's 201 arrived at the client; alert stored = the alert is visible in the
 *     read model (polled every 20 ms through the read-store port on read.db, read-only use);
 *     notification visible = it arrived on a compliance officer's `GET /v1/notifications/stream`.
 * (b) Alongside the batches, single-event POSTs (PROBE_PER_S per second) are timed: p99 with the
 *     rules enabled vs disabled (the engine still reads every event then, but evaluates no rule).
 * The rest of the traffic is bench/lib/audit-events.ts's mix (it triggers the other rules too).
 *
 * Usage: npm run build && npx ts-node --transpile-only bench/monitoring-latency.bench.ts
 *        (env RATE=1000, DURATION=60, BATCH=50, PROBE_PER_S=20, TRIGGER_MS=100, PORT=3917)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ALERTS, ALERTS_COLLECTION, AlertDocument } from '../src/monitoring/alerts/alert';
import { MonitoringEngineProjection } from '../src/monitoring/engine/monitoring-engine.projection';
import { SqliteReadStore } from '../src/read-store/sqlite/sqlite-read-store';
import { makeEvent, rng } from './lib/audit-events';
import { sleep, startService, token } from './lib/service';

const RATE = Number(process.env.RATE ?? 1000);
const DURATION_S = Number(process.env.DURATION ?? 60);
const BATCH = Number(process.env.BATCH ?? 50);
const PROBE_PER_S = Number(process.env.PROBE_PER_S ?? 20);
const TRIGGER_MS = Number(process.env.TRIGGER_MS ?? 100);
const PORT = Number(process.env.PORT ?? 3917);
/** Requests in flight at most: when the service falls behind, the generator waits (and the achieved rate says so). */
const MAX_IN_FLIGHT = Number(process.env.MAX_IN_FLIGHT ?? 64);
const DEFAULT_RULES = ['privilege-escalation-attempts', 'sensitive-access-outside-hours', 'mass-export-or-deletion', 'security-config-change'];

const writer = token(['audit_writer'], 'bench-ingest');
const admin = token(['super_admin'], 'bench-admin');
const officer = token(['compliance_officer'], 'bench-officer');

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(1);
}
const summary = (values: number[]) => ({ n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100) });

/** A refused or failed connection counts as status 0 (a failed request), it does not end the run. */
async function post(url: string, body: unknown, bearer = writer): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

/** A compliance officer's notification stream: alertId → arrival time (performance.now()). */
function notificationStream(url: string, arrivals: Map<string, number>): () => void {
  const req = http.get(`${url}/v1/notifications/stream`, { headers: { Authorization: `Bearer ${officer}`, Accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const alertId = (JSON.parse(data.slice(6)) as { alertId?: string }).alertId;
        if (alertId && !arrivals.has(alertId)) arrivals.set(alertId, performance.now());
      }
    });
  });
  req.on('error', () => undefined);
  return () => req.destroy();
}

interface Phase {
  rules: 'enabled' | 'disabled';
  sentEvents: number;
  failedRequests: number;
  achievedEventsPerSecond: number;
  batchMs: ReturnType<typeof summary>;
  singleEventMs: ReturnType<typeof summary>;
  triggers: number;
  alertStoredMs?: ReturnType<typeof summary> & { missing: number };
  notificationVisibleMs?: ReturnType<typeof summary> & { missing: number };
}

async function runPhase(url: string, rules: Phase['rules'], store: SqliteReadStore): Promise<Phase> {
  const r = rng(rules === 'enabled' ? 7 : 8);
  const durable = new Map<string, number>(); // trigger event id → durable at
  const alertSeen = new Map<string, number>(); // trigger event id → alert visible at
  const alertOfTrigger = new Map<string, string>();
  const arrivals = new Map<string, number>();
  const stopStream = rules === 'enabled' ? notificationStream(url, arrivals) : () => undefined;
  await sleep(300);
  const batchMs: number[] = [];
  const singleMs: number[] = [];
  let failed = 0;
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>) => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };
  const start = performance.now();
  const end = start + DURATION_S * 1000;
  let lastTrigger = start - TRIGGER_MS;
  let triggers = 0;

  // Poll the alerts read model for new alerts (read-only, through the port).
  let polling = rules === 'enabled';
  let lastChange = '';
  const poller = (async () => {
    while (polling) {
      const docs = (await store.find(ALERTS, lastChange ? { changePosition: { $gt: lastChange } } : {}, { sort: [['changePosition', 1]], limit: 1000, hint: 'by_change' })) as unknown as AlertDocument[];
      const now = performance.now();
      for (const doc of docs) {
        lastChange = doc.changePosition;
        const trigger = doc.ruleId === 'security-config-change' ? doc.eventIds[0] : undefined;
        if (trigger && !alertSeen.has(trigger)) {
          alertSeen.set(trigger, now);
          alertOfTrigger.set(trigger, doc.id);
        }
      }
      await sleep(20);
    }
  })();

  const batchInterval = (BATCH / RATE) * 1000;
  const probeInterval = 1000 / PROBE_PER_S;
  let nextBatch = start;
  let nextProbe = start;
  while (performance.now() < end) {
    if (inFlight.size >= MAX_IN_FLIGHT) {
      await Promise.race(inFlight);
      continue;
    }
    const now = performance.now();
    if (now >= nextBatch) {
      nextBatch += batchInterval;
      const events = Array.from({ length: BATCH }, () => makeEvent(r) as Record<string, unknown>);
      let trigger: string | null = null;
      if (now - lastTrigger >= TRIGGER_MS) {
        lastTrigger = now;
        trigger = randomUUID();
        events[0] = { ...events[0], id: trigger, action: 'webhook.update', outcome: 'success', resource: { type: 'webhook', id: `wh-${triggers}` } };
        triggers++;
      }
      sent += BATCH;
      track(
        post(`${url}/v1/audit-events/batch`, { events }).then(({ status, ms }) => {
          if (status !== 201) failed++;
          else {
            batchMs.push(ms);
            if (trigger) durable.set(trigger, performance.now());
          }
        }),
      );
    }
    if (now >= nextProbe) {
      nextProbe += probeInterval;
      sent++;
      track(post(`${url}/v1/audit-events`, makeEvent(r)).then(({ status, ms }) => (status === 201 ? singleMs.push(ms) : failed++)));
    }
    await sleep(Math.max(0, Math.min(nextBatch, nextProbe) - performance.now()));
  }
  await Promise.all([...inFlight]);
  const elapsed = (performance.now() - start) / 1000;
  const phase: Phase = {
    rules,
    sentEvents: sent,
    failedRequests: failed,
    achievedEventsPerSecond: Math.round(sent / elapsed),
    batchMs: summary(batchMs),
    singleEventMs: summary(singleMs),
    triggers,
  };
  if (rules === 'enabled') {
    // Give the pipeline 10 s to show the last alerts and notifications, then stop looking.
    const settle = performance.now() + 10_000;
    while (performance.now() < settle && [...durable.keys()].some((id) => !alertSeen.has(id) || !arrivals.has(alertOfTrigger.get(id) ?? ''))) await sleep(100);
    polling = false;
    await poller;
    stopStream();
    const stored: number[] = [];
    const visible: number[] = [];
    let missingAlerts = 0;
    let missingNotifications = 0;
    for (const [id, at] of durable) {
      const seen = alertSeen.get(id);
      if (seen === undefined) missingAlerts++;
      else stored.push(Math.max(0, seen - at));
      const arrived = arrivals.get(alertOfTrigger.get(id) ?? '');
      if (arrived === undefined) missingNotifications++;
      else visible.push(Math.max(0, arrived - at));
    }
    phase.alertStoredMs = { ...summary(stored), missing: missingAlerts };
    phase.notificationVisibleMs = { ...summary(visible), missing: missingNotifications };
  }
  return phase;
}

async function setRules(url: string, action: 'enable' | 'disable'): Promise<void> {
  for (const id of DEFAULT_RULES) {
    const { status } = await post(`${url}/v1/monitoring-rules/${id}/${action}`, {}, admin);
    if (status !== 200) throw new Error(`${action} ${id}: ${status}`);
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-latency-'));
  const service = await startService(dir, PORT, path.join(dir, 'service.log'));
  const store = new SqliteReadStore({ file: path.join(dir, 'read.db') });
  try {
    // Only the alerts collection is read; the worker may still be creating the tables after /health answers.
    const alertsOnly = { ...new MonitoringEngineProjection().definition, collections: [ALERTS_COLLECTION] };
    for (let attempt = 0; ; attempt++) {
      try {
        await store.attachProjection(alertsOnly);
        break;
      } catch (error) {
        if (attempt >= 300) throw error;
        await sleep(200);
      }
    }
    const enabled = await runPhase(service.url, 'enabled', store);
    await setRules(service.url, 'disable');
    const disabled = await runPhase(service.url, 'disabled', store);
    const result = { at: new Date().toISOString(), rate: RATE, durationSeconds: DURATION_S, batch: BATCH, probePerSecond: PROBE_PER_S, cpus: os.cpus().length, enabled, disabled };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'monitoring-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await store.close();
    await service.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${String(error?.stack ?? error)}\n`);
  process.exit(1);
});

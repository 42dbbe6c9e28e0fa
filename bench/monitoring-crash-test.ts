/**
 * Monitoring crash safety (issue 7 item 8): kill -9 the service five times while it ingests events that
 * raise alerts, restart it each time, then prove that every alert the data calls for exists exactly once
 * with exactly its events: no alert lost, none raised twice, no event counted twice.
 *
 * The data: ACTORS actors each make 5 denied role assignments (the default rule
 * `privilege-escalation-attempts` raises one alert per actor at the 5th), mixed with ordinary events, in
 * batches resent until acknowledged (idempotent by event id).
 * Usage: npm run build && npx ts-node --transpile-only bench/monitoring-crash-test.ts   (env KILLS=5, ACTORS=300)
 * Exit code 0 = pass. Loopback only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEvent, rng } from './lib/audit-events';
import { RunningService, sleep, startService, token } from './lib/service';

const KILLS = Number(process.env.KILLS ?? 5);
const ACTORS = Number(process.env.ACTORS ?? 300);
const BATCH = 40;
const PORT = 44000 + Math.floor(Math.random() * 1000);
const RULE = 'privilege-escalation-attempts';
/** A restarted process has a new owner id: it takes the engine over once the killed one's lease expires. */
const ENV = { PROJECTION_LEASE_MS: '2000' };

function deniedAssignment(actor: string, r: () => number) {
  return { ...makeEvent(r), actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' } };
}

/** The batches to send: each actor's 5 denials spread over the run, between ordinary events of other actors. */
function batches(): Array<Array<Record<string, unknown>>> {
  const r = rng(7);
  const events: Array<Record<string, unknown>> = [];
  for (let round = 0; round < 5; round++) {
    for (let a = 0; a < ACTORS; a++) {
      events.push(deniedAssignment(`escalator-${a}`, r));
      // Ordinary traffic; its actors (user-N) never reach 5 denials of role.assign in a window.
      const noise = makeEvent(r);
      events.push({ ...noise, action: noise.action === 'role.assign' ? 'invoice.update' : noise.action });
    }
  }
  const out: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
}

async function post(url: string, writer: string, batch: Array<Record<string, unknown>>): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/audit-events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: writer },
      body: JSON.stringify({ events: batch }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.status === 201;
  } catch {
    return false;
  }
}

interface AlertItem {
  id: string;
  groupKey: Record<string, string>;
  eventCount: number;
  eventIds: string[];
}

async function allAlerts(url: string, officer: string): Promise<AlertItem[]> {
  const items: AlertItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `ruleId=${RULE}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(`${url}/v1/alerts?${query}`, { headers: { authorization: officer } });
    if (res.status !== 200) throw new Error(`GET /v1/alerts answered ${res.status}`);
    const page = (await res.json()) as { items: AlertItem[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-monitoring-crash-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'service.log');
  const writer = `Bearer ${token(['audit_writer'], 'svc-crash')}`;
  const officer = `Bearer ${token(['compliance_officer'], 'officer-1')}`;
  let service: RunningService = await startService(dataDir, PORT, logFile, ENV);

  const toSend = batches();
  let sent = 0;
  let failedAttempts = 0;
  const sender = (async () => {
    for (const batch of toSend) {
      while (!(await post(`http://127.0.0.1:${PORT}`, writer, batch))) {
        failedAttempts++;
        await sleep(50);
      }
      sent++;
    }
  })();

  for (let kill = 1; kill <= KILLS && sent < toSend.length; kill++) {
    await sleep(400 + Math.random() * 1200);
    await service.stop('SIGKILL');
    console.log(`kill -9 #${kill}: ${sent}/${toSend.length} batches acknowledged so far`);
    service = await startService(dataDir, PORT, logFile, ENV);
  }
  await sender;

  // The engine catches up after the last restart (at most a lease plus the backlog).
  const deadline = Date.now() + 120_000;
  let alerts = await allAlerts(service.url, officer);
  while (alerts.length < ACTORS && Date.now() < deadline) {
    await sleep(500);
    alerts = await allAlerts(service.url, officer);
  }
  await sleep(3000); // anything raised twice would show up now
  alerts = await allAlerts(service.url, officer);
  await service.stop();

  const byActor = new Map<string, AlertItem[]>();
  for (const alert of alerts) byActor.set(alert.groupKey['actor.id'], [...(byActor.get(alert.groupKey['actor.id']) ?? []), alert]);
  const checks = {
    kills: KILLS,
    batches: toSend.length,
    failedAttemptsDuringCrashes: failedAttempts,
    expectedAlerts: ACTORS,
    alerts: alerts.length,
    actorsWithoutAlert: Array.from({ length: ACTORS }, (_, a) => `escalator-${a}`).filter((actor) => !byActor.has(actor)).length,
    actorsWithMoreThanOneAlert: [...byActor.values()].filter((list) => list.length > 1).length,
    alertsWithOtherThan5Events: alerts.filter((a) => a.eventCount !== 5 || new Set(a.eventIds).size !== 5).length,
    alertsOfOtherActors: alerts.filter((a) => !a.groupKey['actor.id']?.startsWith('escalator-')).length,
  };
  console.log(JSON.stringify(checks, null, 2));
  const pass =
    checks.alerts === ACTORS &&
    checks.actorsWithoutAlert === 0 &&
    checks.actorsWithMoreThanOneAlert === 0 &&
    checks.alertsWithOtherThan5Events === 0 &&
    checks.alertsOfOtherActors === 0;
  console.log(pass ? 'PASS' : 'FAIL');
  if (pass) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`data and log kept in ${dir}`);
  process.exit(pass ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

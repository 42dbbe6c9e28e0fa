/**
 * Crash safety (issue 3): kill -9 the service five times during sustained ingestion, restart it each
 * time, then prove that every event answered with 201 is in the event store (exactly once), that the
 * hash chain verifies, and that the read model holds exactly the stream's events.
 * Usage: npm run build && npx ts-node --transpile-only bench/crash-test.ts   (env KILLS=5, CLIENTS=4)
 * Exit code 0 = pass. Loopback only.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEvent, rng } from './lib/audit-events';
import { RunningService, sleep, startService, token } from './lib/service';

const KILLS = Number(process.env.KILLS ?? 5);
const CLIENTS = Number(process.env.CLIENTS ?? 4);
const BATCH = 50;
const PORT = 43000 + Math.floor(Math.random() * 1000);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-crash-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'service.log');
  const writer = `Bearer ${token(['audit_writer'], 'svc-crash')}`;
  const reader = `Bearer ${token(['auditor'], 'auditor-1')}`;
  let service: RunningService = await startService(dataDir, PORT, logFile);
  const acknowledged = new Set<string>();
  let running = true;
  let attempts = 0;
  let failedAttempts = 0;

  const client = async (seed: number) => {
    const r = rng(seed);
    while (running) {
      const events = Array.from({ length: BATCH }, () => makeEvent(r));
      const body = JSON.stringify({ events });
      // Retry the same batch (same ids) until it is acknowledged: resends are idempotent.
      for (;;) {
        attempts++;
        try {
          const res = await fetch(`http://127.0.0.1:${PORT}/v1/audit-events/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: writer },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 201) {
            const { results } = (await res.json()) as { results: Array<{ id: string }> };
            results.forEach((receipt) => acknowledged.add(receipt.id));
            break;
          }
          failedAttempts++;
        } catch {
          failedAttempts++;
        }
        if (!running) return;
        await sleep(50);
      }
    }
  };

  const clients = Array.from({ length: CLIENTS }, (_, i) => client(1000 + i));
  for (let kill = 1; kill <= KILLS; kill++) {
    await sleep(1500 + Math.random() * 2000);
    const before = acknowledged.size;
    await service.stop('SIGKILL');
    console.log(`kill -9 #${kill}: ${before} events acknowledged so far`);
    service = await startService(dataDir, PORT, logFile);
  }
  await sleep(2000);
  running = false;
  await Promise.all(clients);

  // Let the read model catch up, then check everything against the source of truth.
  const caughtUp = async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      // eventsBehind counts the audit_log projection's own streams: the log's global head also moves
      // with alert and notification events, which that projection never reads.
      const health = (await (await fetch(`${service.url}/health`)).json()) as { projections: Array<{ name: string; eventsBehind: number | null }> };
      if (health.projections.find((p) => p.name === 'audit_log')?.eventsBehind === 0) return;
      if (Date.now() > deadline) throw new Error('read model did not catch up within 60 s');
      await sleep(200);
    }
  };
  await caughtUp();
  const verify = (await (await fetch(`${service.url}/v1/integrity/verify`, { headers: { authorization: reader } })).json()) as {
    valid: boolean;
    checked: number;
    headSequence: number;
    firstInvalidSequence?: number;
  };
  await caughtUp(); // the verify request's own audit record is appended after it answers

  const events = new Database(path.join(dataDir, 'events.db'), { readonly: true });
  const stored = events.prepare("SELECT event_id FROM events WHERE stream = 'audit-acme'").pluck().all() as string[];
  events.close();
  const read = new Database(path.join(dataDir, 'read.db'), { readonly: true });
  const projected = read.prepare(`SELECT COUNT(*) FROM rm_audit_events WHERE "f_tenantId" = 'acme'`).pluck().get() as number;
  read.close();
  await service.stop();

  const storedSet = new Set(stored);
  const missing = [...acknowledged].filter((id) => !storedSet.has(id));
  const checks = {
    kills: KILLS,
    attempts,
    failedAttemptsDuringCrashes: failedAttempts,
    acknowledged: acknowledged.size,
    streamLength: stored.length,
    missingAcknowledged: missing.length,
    duplicateIdsInStream: stored.length - storedSet.size,
    chainValid: verify.valid,
    chainChecked: verify.checked,
    readModelCount: projected,
  };
  console.log(JSON.stringify(checks, null, 2));
  const pass =
    missing.length === 0 &&
    stored.length === storedSet.size &&
    verify.valid &&
    verify.checked === verify.headSequence + 1 &&
    projected === stored.length &&
    acknowledged.size > 0;
  console.log(pass ? 'PASS' : 'FAIL');
  if (pass) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`data and log kept in ${dir}`);
  process.exit(pass ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

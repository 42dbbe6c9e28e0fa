/**
 * Rules engine catch-up throughput (issue 7 item 9c, reduced): N audit events in the embedded event
 * store (mixed traffic that exercises all four default rules), then the `monitoring` projection is
 * run from zero on the main thread and timed. Also times a backtest pass (same evaluation code, in
 * memory) over the same events.
 * Usage: npx ts-node --transpile-only bench/monitoring-catch-up.bench.ts   (env EVENTS=200000, TENANTS=10)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../src/audit-log/audit-event';
import { JsonObject } from '../src/event-store/event-store.port';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../src/event-store/stream-names';
import { MonitoringEngineProjection } from '../src/monitoring/engine/monitoring-engine.projection';
import { ALERTS } from '../src/monitoring/alerts/alert';
import { Backtest } from '../src/monitoring/rules/backtest';
import { defaultRule } from '../src/monitoring/rules/default-rules';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { SqliteReadStore } from '../src/read-store/sqlite/sqlite-read-store';

const EVENTS = Number(process.env.EVENTS ?? 200_000);
const TENANTS = Number(process.env.TENANTS ?? 10);
const APPEND_BATCH = 1000;

function eventOf(tenantId: string, sequence: number, i: number): StoredAuditEvent {
  const t = Date.parse('2026-05-04T06:00:00.000Z') + i * 50;
  const kind = i % 20;
  const actor = { id: `user-${i % 500}`, type: 'user' as const };
  const base = { id: randomUUID(), tenantId, sequence, occurredAt: new Date(t).toISOString(), recordedAt: new Date(t).toISOString(), actor, channel: 'api' as const, prevHash: '', hash: '' };
  if (kind === 0) return { ...base, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' } };
  if (kind === 1) return { ...base, action: 'customer.export', outcome: 'success', resource: { type: 'customer', id: 'c' }, metadata: { recordCount: 7 } };
  if (kind === 2) return { ...base, action: 'customer.read', outcome: 'success', resource: { type: 'customer', id: 'c', sensitivity: 'personal' } };
  if (kind === 3) return { ...base, action: 'webhook.update', outcome: 'success', resource: { type: 'webhook', id: 'w' } };
  return { ...base, action: 'invoice.update', outcome: 'success', resource: { type: 'invoice', id: `INV-${i}` } };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-bench-'));
  const events = new SqliteEventStore({ file: path.join(dir, 'events.db'), pollIntervalMs: 50 });
  const heads = new Map<string, number>();
  const all: StoredAuditEvent[] = [];
  for (let i = 0; i < EVENTS; i += APPEND_BATCH) {
    const tenantId = `t${(i / APPEND_BATCH) % TENANTS}`;
    const head = heads.get(tenantId) ?? -1;
    const batch = Array.from({ length: Math.min(APPEND_BATCH, EVENTS - i) }, (_, j) => eventOf(tenantId, head + 1 + j, i + j));
    all.push(...batch);
    await events.append(auditStreamOf(tenantId), batch.map((e) => ({ id: e.id, type: AUDIT_EVENT_RECORDED, data: e as unknown as JsonObject })), head === -1 ? 'no_stream' : head);
    heads.set(tenantId, head + batch.length);
  }

  const store = new SqliteReadStore({ file: path.join(dir, 'read.db') });
  const runner = new ProjectionRunner(new MonitoringEngineProjection(), events, store);
  await runner.prepare();
  const started = process.hrtime.bigint();
  const applied = await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const alerts = await store.count(ALERTS, {});

  const rules = ['privilege-escalation-attempts', 'sensitive-access-outside-hours', 'mass-export-or-deletion', 'security-config-change'].map((id) => defaultRule(id)!);
  const backtestStarted = process.hrtime.bigint();
  for (const rule of rules) {
    const backtest = new Backtest(rule);
    for (const event of all) backtest.add(event);
  }
  const backtestSeconds = Number(process.hrtime.bigint() - backtestStarted) / 1e9;

  process.stdout.write(
    `${JSON.stringify({ events: EVENTS, tenants: TENANTS, applied, catchUpSeconds: +seconds.toFixed(2), catchUpEventsPerSecond: Math.round(applied / seconds), alerts, backtestFourRulesSeconds: +backtestSeconds.toFixed(2), backtestEventsPerSecondPerRule: Math.round((EVENTS * rules.length) / backtestSeconds) })}\n`,
  );
  await store.close();
  await events.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${String(error?.stack ?? error)}\n`);
  process.exit(1);
});

/**
 * In-process profile of a backtest's evaluation alone (no HTTP, no store): builds the rules engine's
 * compact chunks for EVENTS bench events in memory, then times decoding the chunks and evaluating
 * each default rule over them. Run with --cpu-prof to see where a rule's time goes.
 * Usage: npx ts-node --transpile-only bench/backtest-evaluation.profile.ts  (env EVENTS, RULE)
 */
import { makeEvent, rng } from './lib/audit-events';
import { defaultRules } from '../src/monitoring/rules/default-rules';
import { Backtest } from '../src/monitoring/rules/backtest';
import { EvaluatedChunkDocument, evaluatedEventsOf, withEvaluatedEvent } from '../src/monitoring/engine/evaluated-events';
import { StoredAuditEvent } from '../src/audit-log/audit-event';
import { MonitoringRule } from '../src/monitoring/rules/monitoring-rule';

const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const SPAN_MS = 30 * 86_400_000;

const r = rng(99);
const start = Date.now() - SPAN_MS;
const chunks: EvaluatedChunkDocument[] = [];
for (let sequence = 0; sequence < EVENTS; sequence++) {
  const event = { ...makeEvent(r, { at: start + Math.floor((sequence / EVENTS) * SPAN_MS) }), tenantId: 't1', sequence } as unknown as StoredAuditEvent;
  const last = chunks[chunks.length - 1];
  const single = withEvaluatedEvent(null, event);
  if (last && last.chunk === single.chunk) last.cells.push(...single.cells);
  else chunks.push(single);
}
const decodeStarted = performance.now();
let decoded = 0;
for (const c of chunks) decoded += evaluatedEventsOf(c).length;
console.log(`decode ${decoded} events: ${Math.round(performance.now() - decodeStarted)} ms`);

for (const stated of defaultRules()) {
  if (process.env.RULE && stated.id !== process.env.RULE) continue;
  const rule = { ...stated, enabled: true, condition: stated.condition.type === 'outside_hours' ? { ...stated.condition, timezone: 'Europe/Berlin' } : stated.condition } as MonitoringRule;
  const started = performance.now();
  const backtest = new Backtest(rule);
  for (const c of chunks) for (const event of evaluatedEventsOf(c)) backtest.add(event);
  const result = backtest.result();
  console.log(`${rule.id}: ${Math.round(performance.now() - started)} ms (decode + evaluate), ${result.alerts.length} listed, truncated ${result.alertsTruncated}`);
}

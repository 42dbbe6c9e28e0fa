import { createHash } from 'node:crypto';
import { MonitoringRule } from '../rules/monitoring-rule';
import { withinBusinessHours } from './business-hours';
import { EvaluatedEvent, eventInScope, groupKeyOf, recordWeightOf } from './rule-scope';

/** A matching event waiting in a threshold window. `at` is occurredAt in epoch milliseconds. */
export interface WindowEntry {
  id: string;
  sequence: number;
  at: number;
  weight: number;
}

/**
 * What the engine keeps per (tenant, rule, group) between events. Bounded: pending entries of a
 * threshold rule weigh less than the threshold in total (reaching it raises an alert and empties the
 * window), so it never holds more than `threshold` entries.
 */
export interface GroupState {
  pending: WindowEntry[];
  /** The alert that later matches join while their occurredAt is before `suppressedUntil` (epoch ms). */
  openAlert: { id: string; suppressedUntil: number } | null;
}

export const EMPTY_GROUP_STATE: GroupState = { pending: [], openAlert: null };

export interface RaisedAlert {
  id: string;
  ruleId: string;
  ruleVersion: number;
  severity: MonitoringRule['severity'];
  title: string;
  groupKey: Record<string, string>;
  firstEventAt: string;
  lastEventAt: string;
  eventCount: number;
  /** Total of the triggering events' record weights (= eventCount unless the rule counts records). */
  recordCount: number;
  /** In sequence order. */
  eventIds: string[];
}

export type Evaluation =
  /** The event is not in the rule's scope, or the condition does not hold (yet). */
  | { kind: 'none' }
  /**
   * `members`: every event of the triggering window, in time order (the alert's `eventIds` keep the
   * first 100). The alert itself is described by {@link raisedAlertOf} where it is kept: a backtest
   * that only counts an alert need not build it.
   */
  | { kind: 'raise'; alertId: string; members: WindowEntry[] }
  /** The event joins the open alert of its group (suppression). `at`: its occurredAt in epoch ms. */
  | { kind: 'join'; alertId: string; eventId: string; sequence: number; at: number; weight: number };

/** Alerts keep the ids of their first events only. */
export const MAX_ALERT_EVENT_IDS = 100;

/** The key under which a group's state is kept: stable for equal group keys. */
export function groupKeyString(groupKey: Record<string, string>): string {
  const fields = Object.keys(groupKey);
  // The common one-field key without building arrays: the same text JSON.stringify gives.
  if (fields.length === 1) return `[[${JSON.stringify(fields[0])},${JSON.stringify(groupKey[fields[0]])}]]`;
  return JSON.stringify(fields.sort().map((field) => [field, groupKey[field]]));
}

/** How a raised alert gets its id: deterministic (alertIdOf) wherever the id is kept. */
export type AlertIdOf = typeof alertIdOf;

/**
 * Deterministic alert id: the same tenant, rule, group and window (its start and first event) always
 * give the same id, so a replay after a crash or a restart can never create a second alert.
 */
export function alertIdOf(tenantId: string, ruleId: string, groupKey: Record<string, string>, windowStart: number, firstEventId: string): string {
  const material = JSON.stringify([tenantId, ruleId, groupKeyString(groupKey), new Date(windowStart).toISOString(), firstEventId]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

/** The group of `event` under `rule`, or null when the rule does not look at the event. */
export function groupOfEvent(rule: MonitoringRule, event: EvaluatedEvent): Record<string, string> | null {
  if (!rule.enabled || !eventInScope(rule.match, event)) return null;
  return groupKeyOf(rule.condition.groupBy, event);
}

/**
 * Evaluates one event of a tenant against one rule, given the state of the event's group (see
 * {@link groupOfEvent}). Pure: time comes only from the event (occurredAt), so replaying the same
 * events gives the same alerts with the same ids.
 */
export function evaluate(
  rule: MonitoringRule,
  event: EvaluatedEvent,
  groupKey: Record<string, string>,
  state: GroupState,
  idOf: AlertIdOf = alertIdOf,
): { state: GroupState; evaluation: Evaluation } {
  const at = Date.parse(event.occurredAt);
  const weight = rule.condition.type === 'threshold' && rule.condition.count === 'records' ? recordWeightOf(event) : 1;

  // Callers resolve a missing timezone to the tenant's (inTenantTimezone); UTC is the tenant default.
  if (rule.condition.type === 'outside_hours' && withinBusinessHours(at, rule.condition)) return { state, evaluation: { kind: 'none' } };

  if (state.openAlert && at < state.openAlert.suppressedUntil) {
    return { state, evaluation: { kind: 'join', alertId: state.openAlert.id, eventId: event.id, sequence: event.sequence, at, weight } };
  }
  const entry: WindowEntry = { id: event.id, sequence: event.sequence, at, weight };

  if (rule.condition.type !== 'threshold') return raised(rule, event.tenantId, groupKey, [entry], idOf);

  const windowMs = rule.condition.windowSeconds * 1000;
  const pending = insertInTimeOrder(state.pending, entry);
  const newest = pending[pending.length - 1].at;
  // An entry can share a window with the newest one only if it is less than a window older.
  const kept = pending.filter((e) => newest - e.at < windowMs);
  const window = firstWindowReaching(kept, rule.condition.threshold, windowMs);
  if (!window) return { state: { pending: kept, openAlert: null }, evaluation: { kind: 'none' } };
  return raised(rule, event.tenantId, groupKey, window, idOf);
}

function raised(rule: MonitoringRule, tenantId: string, groupKey: Record<string, string>, window: WindowEntry[], idOf: AlertIdOf): { state: GroupState; evaluation: Evaluation } {
  const first = window[0];
  const alertId = idOf(tenantId, rule.id, groupKey, first.at, first.id);
  const openAlert = rule.suppressionSeconds > 0 ? { id: alertId, suppressedUntil: window[window.length - 1].at + rule.suppressionSeconds * 1000 } : null;
  return { state: { pending: [], openAlert }, evaluation: { kind: 'raise', alertId, members: window } };
}

/** The alert a `raise` evaluation of `rule` for the group `groupKey` stands for. */
export function raisedAlertOf(rule: MonitoringRule, groupKey: Record<string, string>, raise: Extract<Evaluation, { kind: 'raise' }>): RaisedAlert {
  const window = raise.members;
  const bySequence = [...window].sort((a, b) => a.sequence - b.sequence);
  return {
    id: raise.alertId,
    ruleId: rule.id,
    ruleVersion: rule.version,
    severity: rule.severity,
    title: titleOf(rule, groupKey),
    groupKey,
    firstEventAt: new Date(window[0].at).toISOString(),
    lastEventAt: new Date(window[window.length - 1].at).toISOString(),
    eventCount: window.length,
    recordCount: window.reduce((sum, e) => sum + e.weight, 0),
    eventIds: bySequence.slice(0, MAX_ALERT_EVENT_IDS).map((e) => e.id),
  };
}

function titleOf(rule: MonitoringRule, groupKey: Record<string, string>): string {
  const group = Object.entries(groupKey).map(([field, value]) => `${field} ${value}`).join(', ');
  return group ? `${rule.name}: ${group}` : rule.name;
}

function insertInTimeOrder(entries: WindowEntry[], entry: WindowEntry): WindowEntry[] {
  const result = [...entries];
  let i = result.length;
  while (i > 0 && (result[i - 1].at > entry.at || (result[i - 1].at === entry.at && result[i - 1].sequence > entry.sequence))) i--;
  result.splice(i, 0, entry);
  return result;
}

/** The earliest run of entries spanning less than `windowMs` whose weights reach `threshold`. */
function firstWindowReaching(entries: WindowEntry[], threshold: number, windowMs: number): WindowEntry[] | null {
  let start = 0;
  let sum = 0;
  for (let end = 0; end < entries.length; end++) {
    sum += entries[end].weight;
    while (entries[end].at - entries[start].at >= windowMs) sum -= entries[start++].weight;
    if (sum >= threshold) {
      // Shrink from the left while the threshold still holds: the alert names only what triggered it.
      while (sum - entries[start].weight >= threshold) sum -= entries[start++].weight;
      return entries.slice(start, end + 1);
    }
  }
  return null;
}

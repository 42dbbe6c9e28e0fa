import { alertIdOf, EMPTY_GROUP_STATE, evaluate, GroupState, groupKeyString, groupOfEvent, MAX_ALERT_EVENT_IDS, raisedAlertOf } from '../evaluation/rule-evaluator';
import { EvaluatedEvent } from '../evaluation/rule-scope';
import { MonitoringRule } from './monitoring-rule';

export interface BacktestAlert {
  groupKey: Record<string, string>;
  windowStart: string;
  windowEnd: string;
  eventCount: number;
  recordCount: number;
  eventIds: string[];
}

/** At most this many alerts are listed; `alertsTruncated` says when more would have been raised. */
export const MAX_BACKTEST_ALERTS = 1000;

/**
 * Runs one rule over past events with the live evaluation code (windows, suppression joins), keeping
 * the state in memory: it raises nothing and writes nothing.
 */
export class Backtest {
  private readonly groups = new Map<string, GroupState>();
  private readonly alerts = new Map<string, BacktestAlert>();
  private raised = 0;
  eventsScanned = 0;
  /**
   * Ids of alerts beyond MAX_BACKTEST_ALERTS, which are counted but not listed: nothing looks them
   * up, so they need not be the deterministic (hashed) ids; only joins compare them, within this run.
   */
  private readonly unlistedIdOf = (): string => `unlisted-${this.raised}`;

  constructor(private readonly rule: MonitoringRule) {}

  add(event: EvaluatedEvent): void {
    this.eventsScanned++;
    const groupKey = groupOfEvent(this.rule, event);
    if (!groupKey) return;
    const key = groupKeyString(groupKey);
    const idOf = this.alerts.size < MAX_BACKTEST_ALERTS ? alertIdOf : this.unlistedIdOf;
    const { state, evaluation } = evaluate(this.rule, event, groupKey, this.groups.get(key) ?? EMPTY_GROUP_STATE, idOf);
    if (state.pending.length === 0 && state.openAlert === null) this.groups.delete(key);
    else this.groups.set(key, state);
    if (evaluation.kind === 'raise') {
      this.raised++;
      if (this.alerts.size >= MAX_BACKTEST_ALERTS) return;
      const alert = raisedAlertOf(this.rule, groupKey, evaluation);
      this.alerts.set(alert.id, { groupKey, windowStart: alert.firstEventAt, windowEnd: alert.lastEventAt, eventCount: alert.eventCount, recordCount: alert.recordCount, eventIds: alert.eventIds });
    } else if (evaluation.kind === 'join') {
      const alert = this.alerts.get(evaluation.alertId);
      if (!alert) return;
      alert.eventCount++;
      alert.recordCount += evaluation.weight;
      const occurredAt = new Date(evaluation.at).toISOString();
      if (occurredAt > alert.windowEnd) alert.windowEnd = occurredAt;
      if (occurredAt < alert.windowStart) alert.windowStart = occurredAt;
      if (alert.eventIds.length < MAX_ALERT_EVENT_IDS) alert.eventIds.push(evaluation.eventId);
    }
  }

  result(): { alerts: BacktestAlert[]; alertsTruncated: boolean; eventsScanned: number } {
    return { alerts: [...this.alerts.values()], alertsTruncated: this.raised > this.alerts.size, eventsScanned: this.eventsScanned };
  }
}

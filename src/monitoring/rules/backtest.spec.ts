import { EvaluatedEvent } from '../evaluation/rule-scope';
import { Backtest, MAX_BACKTEST_ALERTS } from './backtest';
import { MonitoringRule } from './monitoring-rule';

const rule: MonitoringRule = {
  id: 'denied-logins',
  name: 'Denied logins',
  description: '',
  builtIn: false,
  enabled: true,
  severity: 'low',
  match: { actions: ['login'], outcomes: ['denied'] },
  condition: { type: 'match', groupBy: ['actor.id'] },
  suppressionSeconds: 3600,
  version: 1,
  updatedAt: null,
  updatedBy: null,
} as MonitoringRule;

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const denied = (actor: string, sequence: number, seconds: number): EvaluatedEvent => ({
  id: `e-${sequence}`,
  tenantId: 'acme',
  sequence,
  occurredAt: new Date(T0 + seconds * 1000).toISOString(),
  actor: { id: actor, type: 'user' },
  action: 'login',
  outcome: 'denied',
  resource: { type: 'session', id: 's' },
  channel: 'ui',
});

describe(Backtest.name, () => {
  it('lists the first alerts with their joins and reports the rest as truncated', () => {
    const actors = MAX_BACKTEST_ALERTS + 100;
    const backtest = new Backtest(rule);
    let sequence = 0;
    for (let a = 0; a < actors; a++) backtest.add(denied(`user-${a}`, sequence++, a));
    // A second attempt by every actor within the hour joins that actor's alert: no new raise.
    for (let a = 0; a < actors; a++) backtest.add(denied(`user-${a}`, sequence++, 1800 + a));
    const result = backtest.result();
    expect(result.eventsScanned).toBe(2 * actors);
    expect(result.alertsTruncated).toBe(true);
    expect(result.alerts).toHaveLength(MAX_BACKTEST_ALERTS);
    expect(result.alerts.every((alert) => alert.eventCount === 2)).toBe(true);
    const first = result.alerts[0];
    expect(first.groupKey).toEqual({ 'actor.id': 'user-0' });
    expect(first.eventIds).toEqual(['e-0', `e-${actors}`]);

  });
});

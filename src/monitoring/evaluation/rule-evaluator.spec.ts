import { defaultRule } from '../rules/default-rules';
import { MonitoringRule } from '../rules/monitoring-rule';
import { alertIdOf, EMPTY_GROUP_STATE, Evaluation, evaluate, GroupState, groupKeyString, groupOfEvent, MAX_ALERT_EVENT_IDS, RaisedAlert, raisedAlertOf } from './rule-evaluator';
import { EvaluatedEvent } from './rule-scope';

let sequence = 0;
function event(occurredAt: string, overrides: Partial<EvaluatedEvent> = {}): EvaluatedEvent {
  sequence += 1;
  return {
    id: `e${sequence}`,
    tenantId: 'acme',
    sequence,
    occurredAt,
    actor: { id: 'bob', type: 'user' },
    action: 'role.assign',
    outcome: 'denied',
    resource: { type: 'role', id: 'admin' },
    channel: 'api',
    ...overrides,
  };
}

/**
 * Given `rule`, when `events` are evaluated in order (one group state per group), then: the evaluations,
 * each raise with the alert it stands for.
 */
function run(rule: MonitoringRule, events: EvaluatedEvent[]): Array<Evaluation | (Evaluation & { alert: RaisedAlert })> {
  const states = new Map<string, GroupState>();
  return events.map((e) => {
    const group = groupOfEvent(rule, e);
    if (!group) return { kind: 'none' } as const;
    const key = JSON.stringify(group);
    const result = evaluate(rule, e, group, states.get(key) ?? EMPTY_GROUP_STATE);
    states.set(key, result.state);
    const { evaluation } = result;
    return evaluation.kind === 'raise' ? { ...evaluation, alert: raisedAlertOf(rule, group, evaluation) } : evaluation;
  });
}

const kinds = (evaluations: Evaluation[]) => evaluations.map((e) => e.kind);
const at = (iso: string, plusMs: number) => new Date(Date.parse(iso) + plusMs).toISOString();

function rule(id: string, changes: Partial<MonitoringRule> = {}): MonitoringRule {
  return { ...defaultRule(id)!, ...changes };
}

describe('threshold condition (privilege-escalation-attempts: 5 in 600 s by actor.id)', () => {
  const privilege = rule('privilege-escalation-attempts');
  const T = '2026-05-04T10:00:00.000Z';

  it('raises one alert on the fifth matching event of one actor, naming the five in sequence order', () => {
    const events = [0, 1, 2, 3, 4].map((i) => event(at(T, i * 1000)));
    const result = run(privilege, events);
    expect(kinds(result)).toEqual(['none', 'none', 'none', 'none', 'raise']);
    expect(result[4]).toMatchObject({
      alert: { ruleId: 'privilege-escalation-attempts', ruleVersion: 1, severity: 'high', groupKey: { 'actor.id': 'bob' }, firstEventAt: T, lastEventAt: at(T, 4000), eventCount: 5, eventIds: events.map((e) => e.id) },
    });
  });

  it('counts five events spanning 599.999 s as one window (edge inside)', () => {
    const events = [0, 1, 2, 3].map((i) => event(at(T, i * 1000))).concat(event(at(T, 599_999)));
    expect(kinds(run(privilege, events))).toEqual(['none', 'none', 'none', 'none', 'raise']);
  });

  it('does not count five events spanning exactly 600 s as one window (edge outside: windows are [start, start + 600 s))', () => {
    const events = [0, 1, 2, 3].map((i) => event(at(T, i * 1000))).concat(event(at(T, 600_000)));
    expect(kinds(run(privilege, events))).toEqual(['none', 'none', 'none', 'none', 'none']);
  });

  it('slides: after the oldest falls out of the window, the next event raises with the last five', () => {
    const events = [0, 1, 2, 3].map((i) => event(at(T, i * 1000))).concat(event(at(T, 600_000)), event(at(T, 600_500)));
    const result = run(privilege, events);
    expect(kinds(result)).toEqual(['none', 'none', 'none', 'none', 'none', 'raise']);
    expect(result[5]).toMatchObject({ alert: { firstEventAt: at(T, 1000), lastEventAt: at(T, 600_500), eventIds: events.slice(1).map((e) => e.id) } });
  });

  it('keeps groups apart: four events each of two actors raise nothing', () => {
    const events = [0, 1, 2, 3].flatMap((i) => [event(at(T, i * 1000)), event(at(T, i * 1000), { actor: { id: 'eve', type: 'user' } })]);
    expect(kinds(run(privilege, events))).not.toContain('raise');
  });

  it('ignores events outside the match scope (successful role.assign, denied invoice.update)', () => {
    const events = [0, 1, 2, 3, 4].flatMap((i) => [event(at(T, i * 1000), { outcome: 'success' }), event(at(T, i * 1000), { action: 'invoice.update' })]);
    expect(kinds(run(privilege, events))).not.toContain('raise');
  });

  it('counts an out-of-order event by its occurredAt', () => {
    const events = [event(at(T, 5000)), event(at(T, 6000)), event(at(T, 7000)), event(at(T, 8000)), event(at(T, 1000))];
    const result = run(privilege, events);
    expect(result[4]).toMatchObject({ kind: 'raise', alert: { firstEventAt: at(T, 1000), lastEventAt: at(T, 8000), eventIds: events.map((e) => e.id) } });
  });

  it('does not raise for a disabled rule', () => {
    const events = [0, 1, 2, 3, 4].map((i) => event(at(T, i * 1000)));
    expect(kinds(run({ ...privilege, enabled: false }, events))).not.toContain('raise');
  });
});

describe('suppression (3600 s after the event that raised the alert)', () => {
  const privilege = rule('privilege-escalation-attempts');
  const T = '2026-05-04T10:00:00.000Z';
  const five = () => [0, 1, 2, 3, 4].map((i) => event(at(T, i * 1000)));

  it('a sixth match 3599.999 s after the raising event joins the open alert', () => {
    const result = run(privilege, [...five(), event(at(T, 4000 + 3_599_999))]);
    expect(result[5]).toMatchObject({ kind: 'join', alertId: (result[4] as { alert: { id: string } }).alert.id });
  });

  it('a match exactly 3600 s after the raising event starts a new window instead of joining', () => {
    const result = run(privilege, [...five(), event(at(T, 4000 + 3_600_000))]);
    expect(result[5]).toEqual({ kind: 'none' });
  });

  it('after suppression ends, five more matches raise a second alert with a different id', () => {
    const later = [0, 1, 2, 3, 4].map((i) => event(at(T, 4000 + 3_600_000 + i * 1000)));
    const result = run(privilege, [...five(), ...later]);
    expect(kinds(result)).toEqual(['none', 'none', 'none', 'none', 'raise', 'none', 'none', 'none', 'none', 'raise']);
    expect((result[9] as { alert: { id: string } }).alert.id).not.toBe((result[4] as { alert: { id: string } }).alert.id);
  });

  it('with suppression 0 every match raises its own alert (security-config-change)', () => {
    const config = rule('security-config-change');
    const result = run(config, [event(T, { action: 'monitoring_rule.update', outcome: 'success' }), event(T, { action: 'role.assign', outcome: 'success' })]);
    expect(kinds(result)).toEqual(['raise', 'raise']);
    expect(result[0]).toMatchObject({ alert: { groupKey: {}, eventCount: 1, severity: 'medium' } });
  });
});

describe('records counting (mass-export-or-deletion: 100 records in 300 s)', () => {
  const mass = rule('mass-export-or-deletion');
  const T = '2026-05-04T10:00:00.000Z';
  const exp = (plusMs: number, metadata?: Record<string, unknown>) => event(at(T, plusMs), { action: 'invoice.export', outcome: 'success', metadata });

  it('raises when metadata.recordCount adds up to 100 (60 + 40), with eventCount 2 and recordCount 100', () => {
    const result = run(mass, [exp(0, { recordCount: 60 }), exp(1000, { recordCount: 40 })]);
    expect(result[1]).toMatchObject({ kind: 'raise', alert: { eventCount: 2, recordCount: 100 } });
  });

  it('stays silent at 99 records', () => {
    expect(kinds(run(mass, [exp(0, { recordCount: 60 }), exp(1000, { recordCount: 39 })]))).toEqual(['none', 'none']);
  });

  it('counts an event without a positive integer recordCount (absent, 0, -5, 2.5, "50") as 1 record', () => {
    const result = run(mass, [exp(0, { recordCount: 95 }), exp(1, {}), exp(2, { recordCount: 0 }), exp(3, { recordCount: -5 }), exp(4, { recordCount: 2.5 }), exp(5, { recordCount: '50' })]);
    expect(kinds(result)).toEqual(['none', 'none', 'none', 'none', 'none', 'raise']);
    expect(result[5]).toMatchObject({ alert: { eventCount: 6, recordCount: 100 } });
  });

  it('matches action suffixes: *.delete, *.purge count; invoice.deleted and a failed export do not', () => {
    const events = [
      event(T, { action: 'customer.delete', outcome: 'success', metadata: { recordCount: 50 } }),
      event(T, { action: 'invoice.deleted', outcome: 'success', metadata: { recordCount: 50 } }),
      event(T, { action: 'report.export', outcome: 'failure', metadata: { recordCount: 50 } }),
      event(T, { action: 'archive.purge', outcome: 'success', metadata: { recordCount: 50 } }),
    ];
    expect(kinds(run(mass, events))).toEqual(['none', 'none', 'none', 'raise']);
  });
});

describe('outside_hours condition (sensitive-access-outside-hours, Mon-Fri 08:00-18:00)', () => {
  const berlin = rule('sensitive-access-outside-hours', {
    condition: { type: 'outside_hours', timezone: 'Europe/Berlin', businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00', groupBy: ['actor.id'] },
    suppressionSeconds: 0,
  });
  const access = (occurredAt: string, sensitivity: 'personal' | 'public' = 'personal') => event(occurredAt, { action: 'customer.read', outcome: 'success', resource: { type: 'customer', id: 'c1', sensitivity } });

  it('Monday 07:59:59 Berlin (05:59:59Z in summer) is outside; 08:00:00 is inside; 17:59:59 inside; 18:00:00 outside', () => {
    const result = run(berlin, [access('2026-05-04T05:59:59.000Z'), access('2026-05-04T06:00:00.000Z'), access('2026-05-04T15:59:59.000Z'), access('2026-05-04T16:00:00.000Z')]);
    expect(kinds(result)).toEqual(['raise', 'none', 'none', 'raise']);
  });

  it('a Saturday at noon is outside; public resources are out of scope', () => {
    expect(kinds(run(berlin, [access('2026-05-02T10:00:00.000Z'), access('2026-05-02T10:00:00.000Z', 'public')]))).toEqual(['raise', 'none']);
  });

  it('DST starts (Sunday 2026-03-29): the next Monday 08:00 Berlin is 06:00Z, and 07:30Z is inside', () => {
    const result = run(berlin, [access('2026-03-30T05:59:00.000Z'), access('2026-03-30T06:00:00.000Z'), access('2026-03-30T07:30:00.000Z')]);
    expect(kinds(result)).toEqual(['raise', 'none', 'none']);
  });

  it('the Friday before DST starts (2026-03-27) still has 08:00 Berlin at 07:00Z', () => {
    expect(kinds(run(berlin, [access('2026-03-27T06:30:00.000Z'), access('2026-03-27T07:00:00.000Z')]))).toEqual(['raise', 'none']);
  });

  it('on the DST change day itself (Sunday 2026-03-29, 02:00 → 03:00) every hour is outside', () => {
    expect(kinds(run(berlin, [access('2026-03-29T00:30:00.000Z'), access('2026-03-29T01:30:00.000Z'), access('2026-03-29T10:00:00.000Z')]))).toEqual(['raise', 'raise', 'raise']);
  });

  it('DST ends (Sunday 2026-10-25): the next Monday 18:00 Berlin is 17:00Z; 16:59:59Z inside, 17:00Z outside', () => {
    const result = run(berlin, [access('2026-10-26T16:59:59.000Z'), access('2026-10-26T17:00:00.000Z'), access('2026-10-26T06:59:59.000Z')]);
    expect(kinds(result)).toEqual(['none', 'raise', 'raise']);
  });

  it('the Friday before DST ends (2026-10-23) has 18:00 Berlin at 16:00Z', () => {
    expect(kinds(run(berlin, [access('2026-10-23T15:59:59.000Z'), access('2026-10-23T16:00:00.000Z')]))).toEqual(['none', 'raise']);
  });

  it('with the default suppression (3600 s by actor) a second outside-hours access within the hour joins', () => {
    const suppressed = { ...berlin, suppressionSeconds: 3600 };
    const result = run(suppressed, [access('2026-05-02T10:00:00.000Z'), access('2026-05-02T10:59:59.999Z'), access('2026-05-02T11:00:00.000Z')]);
    expect(kinds(result)).toEqual(['raise', 'join', 'raise']);
  });
});

describe('alert ids', () => {
  it('are deterministic and differ by tenant, rule, group and window start', () => {
    const base = alertIdOf('acme', 'r', { 'actor.id': 'bob' }, 1000, 'e1');
    expect(alertIdOf('acme', 'r', { 'actor.id': 'bob' }, 1000, 'e1')).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([base, alertIdOf('acme-x', 'r', { 'actor.id': 'bob' }, 1000, 'e1'), alertIdOf('acme', 'r2', { 'actor.id': 'bob' }, 1000, 'e1'), alertIdOf('acme', 'r', { 'actor.id': 'eve' }, 1000, 'e1'), alertIdOf('acme', 'r', { 'actor.id': 'bob' }, 1001, 'e1')]).size).toBe(5);
  });

  it('replaying the same events gives the same alert id', () => {
    const events = [0, 1, 2, 3, 4].map((i) => event(`2026-05-04T10:00:0${i}.000Z`));
    const first = run(rule('privilege-escalation-attempts'), events);
    const second = run(rule('privilege-escalation-attempts'), events);
    expect(first[4]).toEqual(second[4]);
  });

  it(`an alert keeps at most ${MAX_ALERT_EVENT_IDS} event ids`, () => {
    const mass = rule('mass-export-or-deletion', { condition: { type: 'threshold', threshold: 150, windowSeconds: 300, groupBy: ['actor.id'], count: 'events' } });
    const events = Array.from({ length: 150 }, (_, i) => event(at('2026-05-04T10:00:00.000Z', i), { action: 'x.export', outcome: 'success' }));
    const result = run(mass, events);
    expect(result[149]).toMatchObject({ kind: 'raise', alert: { eventCount: 150 } });
    expect((result[149] as { alert: { eventIds: string[] } }).alert.eventIds).toHaveLength(MAX_ALERT_EVENT_IDS);
  });
});

describe('groupKeyString', () => {
  it('gives the text of JSON.stringify of the sorted [field, value] pairs, for one field and several, with quotes and unicode', () => {
    for (const key of <Array<Record<string, string>>>[{ 'actor.id': 'bob' }, { 'actor.id': 'a"b\\c\u2028é' }, { 'context.sourceService': '' }, { 'resource.type': 'x', 'actor.id': 'y' }, {}]) {
      const expected = JSON.stringify(Object.keys(key).sort().map((field) => [field, key[field]]));
      expect(groupKeyString(key)).toBe(expected);
    }
  });
});

import { RequestValidationError } from '../../http/request-validation.error';
import { auditLogLinkOf } from '../alerts/alert';
import { backtestRequestOf, newRuleOf, ruleChangesOf } from './rule-input';

function pathsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestValidationError) return error.errors.map((e) => e.path).sort();
    throw error;
  }
  return [];
}

describe('rule input', () => {
  it('fills the defaults of a new rule: enabled, empty description, no suppression, threshold counting events', () => {
    expect(newRuleOf({ id: 'a-b', name: 'A', severity: 'low', match: {}, condition: { type: 'threshold', threshold: 2, windowSeconds: 60 } })).toEqual({
      id: 'a-b',
      enabled: true,
      definition: { name: 'A', description: '', severity: 'low', match: {}, condition: { type: 'threshold', threshold: 2, windowSeconds: 60, groupBy: [], count: 'events' }, suppressionSeconds: 0 },
    });
  });

  it('gives outside_hours its defaults (no timezone of its own: the tenant timezone; Mon-Fri, 08:00-18:00)', () => {
    expect(ruleChangesOf({ condition: { type: 'outside_hours' } }).condition).toEqual({ type: 'outside_hours', businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' });
  });

  it('refuses each bad field with its path, nothing else', () => {
    expect(pathsOf(() => newRuleOf({ name: 'A', severity: 'low', match: {}, condition: { type: 'match' } }))).toEqual(['id']);
    expect(pathsOf(() => ruleChangesOf({ condition: { type: 'threshold', threshold: 0, windowSeconds: 60, count: 'rows' } }))).toEqual(['condition.count', 'condition.threshold']);
    expect(pathsOf(() => ruleChangesOf({ condition: { type: 'outside_hours', startTime: '18:00', endTime: '08:00', businessDays: [0] } }))).toEqual(['condition.businessDays', 'condition.endTime']);
    expect(pathsOf(() => ruleChangesOf({ match: { outcomes: ['maybe'], sensitivities: [] }, suppressionSeconds: -1, builtIn: false }))).toEqual(['builtIn', 'match.outcomes[0]', 'match.sensitivities', 'suppressionSeconds']);
    expect(pathsOf(() => ruleChangesOf({ condition: { type: 'match', groupBy: ['actor.name'] } }))).toEqual(['condition.groupBy[0]']);
    expect(pathsOf(() => ruleChangesOf({ recipients: { userIds: ['u1'], emails: ['x'] } }))).toEqual(['recipients.emails']);
  });

  it('accepts action patterns "prefix.*" and "*.suffix" and exact actions; refuses spaces', () => {
    expect(ruleChangesOf({ match: { actions: ['role.*', '*.export', 'access.denied'] } }).match).toEqual({ actions: ['role.*', '*.export', 'access.denied'] });
    expect(pathsOf(() => ruleChangesOf({ match: { actions: ['role assign'] } }))).toEqual(['match.actions[0]']);
  });

  it('backtest: one of ruleId and rule, a draft rule gets the id "draft", from before to', () => {
    expect(backtestRequestOf({ rule: { name: 'A', severity: 'low', match: {}, condition: { type: 'match' } }, from: '2026-05-04T10:00:00+02:00', to: '2026-05-05T00:00:00Z' })).toMatchObject({
      draft: { id: 'draft' },
      from: '2026-05-04T08:00:00.000Z',
      to: '2026-05-05T00:00:00.000Z',
    });
    expect(pathsOf(() => backtestRequestOf({ from: 'yesterday', to: '2026-05-05T00:00:00Z' }))).toEqual(['from', 'ruleId']);
    expect(pathsOf(() => backtestRequestOf({ rule: { severity: 'x' }, from: '2026-05-04T00:00:00Z', to: '2026-05-05T00:00:00Z' }))).toEqual(['rule.condition', 'rule.match', 'rule.name', 'rule.severity']);
  });
});

describe(auditLogLinkOf.name, () => {
  it("names the alert (whose members the list reads) and its period, to = last event + 1 ms", () => {
    const link = auditLogLinkOf({ id: '0123456789abcdef0123456789abcdef', firstEventAt: '2026-05-04T10:00:00.000Z', lastEventAt: '2026-05-04T10:02:00.000Z' });
    expect(link).toBe('/v1/audit-events?alertId=0123456789abcdef0123456789abcdef&from=2026-05-04T10%3A00%3A00.000Z&to=2026-05-04T10%3A02%3A00.001Z&limit=500');
  });
});

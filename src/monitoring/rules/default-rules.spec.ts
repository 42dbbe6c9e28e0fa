import { defaultRules } from './default-rules';
import { ruleStreamOf } from './rule-stream';

describe('default rules (ARCHITECTURE §7)', () => {
  it('are exactly the four of the table: ids, match, condition, severity, suppression, enabled, built in, version 1', () => {
    const byId = Object.fromEntries(defaultRules().map((r) => [r.id, r]));
    expect(Object.keys(byId)).toEqual(['privilege-escalation-attempts', 'sensitive-access-outside-hours', 'mass-export-or-deletion', 'security-config-change']);
    expect(byId['privilege-escalation-attempts']).toMatchObject({
      builtIn: true, enabled: true, version: 1, severity: 'high', suppressionSeconds: 3600,
      match: { actions: ['role.*', 'permission.*', 'privilege.*', 'access.denied'], outcomes: ['denied', 'failure'] },
      condition: { type: 'threshold', threshold: 5, windowSeconds: 600, groupBy: ['actor.id'] },
    });
    expect(byId['sensitive-access-outside-hours']).toMatchObject({
      severity: 'medium', suppressionSeconds: 3600, match: { sensitivities: ['personal', 'financial', 'restricted'] },
      condition: { type: 'outside_hours', timezone: 'UTC', businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00', groupBy: ['actor.id'] },
    });
    expect(byId['mass-export-or-deletion']).toMatchObject({
      severity: 'high', suppressionSeconds: 3600, match: { actions: ['*.export', '*.delete', '*.bulk_delete', '*.purge'], outcomes: ['success'] },
      condition: { type: 'threshold', threshold: 100, windowSeconds: 300, groupBy: ['actor.id'], count: 'records' },
    });
    expect(byId['security-config-change']).toMatchObject({ severity: 'medium', suppressionSeconds: 0, condition: { type: 'match' }, match: { outcomes: ['success'] } });
    expect(byId['security-config-change'].match.actions).toEqual([
      'security.*', 'compliance.*', 'role.*', 'permission.*', 'mfa.*', 'sso.*', 'retention.*', 'monitoring_rule.*', 'alert_recipients.*', 'webhook.*', 'cross_tenant_grant.*', 'report_schedule.*',
    ]);
  });

  it('each call returns fresh copies (editing one never changes the defaults)', () => {
    defaultRules()[0].match.actions!.push('x.y');
    expect(defaultRules()[0].match.actions).toHaveLength(4);
  });
});

describe(ruleStreamOf.name, () => {
  it('writes "-" of rule ids as "_" (the names of existing rule streams): rule-acme-privilege_escalation_attempts', () => {
    expect(ruleStreamOf('acme', 'privilege-escalation-attempts')).toBe('rule-acme-privilege_escalation_attempts');
  });

  it('refuses ids outside [a-z0-9-], so no two (tenant, rule) pairs share a stream', () => {
    expect(() => ruleStreamOf('acme', 'a_b')).toThrow();
    expect(() => ruleStreamOf('acme~x', 'a')).toThrow();
    expect(ruleStreamOf('acme', 'x-a')).not.toBe(ruleStreamOf('acme_x', 'a'));
    expect(ruleStreamOf('acme', 'x-a')).not.toBe(ruleStreamOf('acme-x', 'a'));
  });
});

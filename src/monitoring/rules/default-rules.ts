import { MonitoringRule, RuleDefinition } from './monitoring-rule';

/** The four default rules of ARCHITECTURE §7, present and enabled for every tenant until edited. */
export const DEFAULT_RULE_DEFINITIONS: ReadonlyArray<{ id: string } & RuleDefinition> = [
  {
    id: 'privilege-escalation-attempts',
    name: 'Privilege escalation attempts',
    description: 'Five or more denied or failed role, permission or privilege changes (or access denials) by one actor within 10 minutes.',
    severity: 'high',
    match: { actions: ['role.*', 'permission.*', 'privilege.*', 'access.denied'], outcomes: ['denied', 'failure'] },
    condition: { type: 'threshold', threshold: 5, windowSeconds: 600, groupBy: ['actor.id'], count: 'events' },
    suppressionSeconds: 3600,
  },
  {
    id: 'sensitive-access-outside-hours',
    name: 'Sensitive data accessed outside business hours',
    description: "Access to personal, financial or restricted resources outside Monday to Friday 08:00-18:00 in the tenant's timezone.",
    severity: 'medium',
    match: { sensitivities: ['personal', 'financial', 'restricted'] },
    condition: { type: 'outside_hours', businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00', groupBy: ['actor.id'] },
    suppressionSeconds: 3600,
  },
  {
    id: 'mass-export-or-deletion',
    name: 'Mass export or deletion',
    description: 'One actor exports or deletes 100 or more records within 5 minutes.',
    severity: 'high',
    match: { actions: ['*.export', '*.delete', '*.bulk_delete', '*.purge'], outcomes: ['success'] },
    condition: { type: 'threshold', threshold: 100, windowSeconds: 300, groupBy: ['actor.id'], count: 'records' },
    suppressionSeconds: 3600,
  },
  {
    id: 'security-config-change',
    name: 'Security configuration change',
    description: 'Any successful change to security, compliance, roles, permissions, MFA, SSO, retention, monitoring rules, alert recipients, webhooks, cross-tenant grants or report schedules.',
    severity: 'medium',
    match: {
      actions: [
        'security.*',
        'compliance.*',
        'role.*',
        'permission.*',
        'mfa.*',
        'sso.*',
        'retention.*',
        'monitoring_rule.*',
        'alert_recipients.*',
        'webhook.*',
        'cross_tenant_grant.*',
        'report_schedule.*',
      ],
      outcomes: ['success'],
    },
    condition: { type: 'match' },
    suppressionSeconds: 0,
  },
];

export const DEFAULT_RULE_IDS: ReadonlySet<string> = new Set(DEFAULT_RULE_DEFINITIONS.map((r) => r.id));

/** A built-in rule as every tenant has it before any change. */
export function defaultRule(id: string): MonitoringRule | null {
  const definition = DEFAULT_RULE_DEFINITIONS.find((r) => r.id === id);
  if (!definition) return null;
  return { ...(JSON.parse(JSON.stringify(definition)) as typeof definition), builtIn: true, enabled: true, version: 1, updatedAt: null, updatedBy: null };
}

export function defaultRules(): MonitoringRule[] {
  return DEFAULT_RULE_DEFINITIONS.map((r) => defaultRule(r.id)!);
}

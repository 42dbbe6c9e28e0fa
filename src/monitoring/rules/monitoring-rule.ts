/** Monitoring rules as the API returns them and the engine evaluates them (ARCHITECTURE §7). */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for comparisons (`minSeverity`, sorting): low < medium < high < critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Rule ids chosen at creation; built-in ids have the same form. */
export const RULE_ID_PATTERN = /^[a-z0-9-]{1,64}$/;
export const RULE_ID_RULE = '1-64 of a-z 0-9 -';

/**
 * Which events a rule looks at. Every field given must hold (AND); values inside one field are
 * alternatives (OR). An action pattern may end in ".*" (prefix) or start with "*." (suffix).
 */
export interface RuleMatch {
  actions?: string[];
  outcomes?: string[];
  resourceTypes?: string[];
  sensitivities?: string[];
  actorTypes?: string[];
  channels?: string[];
}

/** Event fields a rule may group by (alerts and suppression are per group). */
export const GROUP_BY_FIELDS = ['actor.id', 'actor.type', 'resource.type', 'resource.id', 'action', 'channel', 'context.sourceService'] as const;
export type GroupByField = (typeof GROUP_BY_FIELDS)[number];

export type RuleCondition =
  /** Each matching event raises (or, within suppression, joins) an alert. */
  | { type: 'match'; groupBy?: GroupByField[] }
  /** ≥ threshold events (or records) of one group inside any window of windowSeconds. */
  | { type: 'threshold'; threshold: number; windowSeconds: number; groupBy: GroupByField[]; count?: 'events' | 'records' }
  /**
   * occurredAt outside the business hours of `timezone` (IANA; absent: the tenant's timezone of
   * /v1/tenant-settings, UTC until set); businessDays are ISO weekdays, 1 = Monday.
   */
  | { type: 'outside_hours'; timezone?: string; businessDays: number[]; startTime: string; endTime: string; groupBy?: GroupByField[] };

export interface RuleRecipients {
  userIds?: string[];
  roles?: string[];
}

/** The configurable part of a rule: what a create or an edit supplies. */
export interface RuleDefinition {
  name: string;
  description: string;
  severity: Severity;
  match: RuleMatch;
  condition: RuleCondition;
  suppressionSeconds: number;
  recipients?: RuleRecipients;
}

export interface MonitoringRule extends RuleDefinition {
  id: string;
  builtIn: boolean;
  enabled: boolean;
  /** 1 for an untouched built-in or a new custom rule; every change adds one. */
  version: number;
  /** null for an untouched built-in rule. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * The rule as evaluated in a tenant: an `outside_hours` condition without a timezone of its own takes
 * the tenant's (ADR 019). Any other rule is returned as it is.
 */
export function inTenantTimezone(rule: MonitoringRule, tenantTimezone: string): MonitoringRule {
  if (rule.condition.type !== 'outside_hours' || rule.condition.timezone !== undefined) return rule;
  return { ...rule, condition: { ...rule.condition, timezone: tenantTimezone } };
}

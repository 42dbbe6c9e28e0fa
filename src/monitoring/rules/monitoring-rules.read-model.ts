import { CollectionDefinition } from '../../read-store/read-store.port';
import { defaultRules } from './default-rules';
import { MonitoringRule } from './monitoring-rule';

/** The rules API's read model: one document per rule whose stream has events (built-ins until then are implicit). */
export const MONITORING_RULES_PROJECTION = 'monitoring_rules';
export const MONITORING_RULES = 'monitoring_rules';

export interface MonitoringRuleDocument {
  /** `<tenantId>/<ruleId>`: "/" occurs in neither. */
  id: string;
  tenantId: string;
  ruleId: string;
  rule: MonitoringRule;
}

export function ruleDocumentId(tenantId: string, ruleId: string): string {
  return `${tenantId}/${ruleId}`;
}

export const MONITORING_RULES_COLLECTION: CollectionDefinition = {
  name: MONITORING_RULES,
  fields: { tenantId: 'string', ruleId: 'string' },
  indexes: [{ name: 'by_tenant_rule', keys: [['tenantId', 1], ['ruleId', 1]], unique: true }],
};

/** Shared, never mutated: the engine merges them for every event, so they are not copied each time. */
const DEFAULTS: readonly MonitoringRule[] = Object.freeze(defaultRules());

/** A tenant's rules: the defaults (as changed, if they were) and its live custom rules, built-ins first, then by id. Treat as read-only. */
export function effectiveRules(stored: Iterable<MonitoringRule>): MonitoringRule[] {
  const byId = new Map(DEFAULTS.map((r) => [r.id, r]));
  const custom: MonitoringRule[] = [];
  for (const rule of stored) {
    if (byId.has(rule.id)) byId.set(rule.id, rule);
    else custom.push(rule);
  }
  return [...byId.values(), ...custom.sort((a, b) => (a.id < b.id ? -1 : 1))];
}

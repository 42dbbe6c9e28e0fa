import { CollectionDefinition } from '../../read-store/read-store.port';
import { AlertDocument } from '../alerts/alert';
import { AlertMember } from '../alerts/alert-events';
import { GroupState } from '../evaluation/rule-evaluator';
import { MonitoringRule } from '../rules/monitoring-rule';

export const MONITORING_PROJECTION = 'monitoring';

/**
 * The engine's own copy of each tenant's rule changes, kept from the rule streams in log order, so
 * that a rule edit applies exactly to the audit events after it, on a first run and on every replay.
 */
export const MONITORING_RULE_SETS = 'monitoring_rule_sets';
export interface RuleSetDocument {
  /** The tenant id. */
  id: string;
  /** Changed built-ins and live custom rules; null: a deleted custom rule. */
  rules: Record<string, MonitoringRule | null>;
  /** The tenant's timezone (tenant_settings stream) as of the events applied; absent: UTC. */
  timezone?: string;
}
export const RULE_SETS_COLLECTION: CollectionDefinition = { name: MONITORING_RULE_SETS, fields: {}, indexes: [] };

/** Window and suppression state per (tenant, rule, group). */
export const MONITORING_WINDOWS = 'monitoring_windows';
export interface WindowDocument {
  /** `<tenantId>/<ruleId>/<group key>`. */
  id: string;
  tenantId: string;
  ruleId: string;
  state: GroupState;
  /** Position of the last event applied to this group: a replayed event (at or before it) is not counted again. */
  appliedPosition: string;
  /**
   * The group's latest alert as the engine last wrote it (without triage) and the position of that
   * write: joins build on it, and a replay re-issues the write if a half-finished commit lost it.
   */
  alert: Omit<AlertDocument, 'status' | 'history'> | null;
  alertPosition: string | null;
  /** The alert members written at `alertPosition` (the raising window, or the joining event), re-issued with the alert on a replay. */
  alertMembers?: AlertMember[];
}
export const WINDOWS_COLLECTION: CollectionDefinition = { name: MONITORING_WINDOWS, fields: { tenantId: 'string', ruleId: 'string' }, indexes: [{ name: 'by_tenant_rule', keys: [['tenantId', 1], ['ruleId', 1]] }] };

export function windowDocumentId(tenantId: string, ruleId: string, groupKey: string): string {
  return `${tenantId}/${ruleId}/${groupKey}`;
}

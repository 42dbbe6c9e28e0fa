import { DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { MonitoringRule } from './monitoring-rule';

/** Stable, versioned event types of the monitoring rule aggregate (`rule-<tenantId>-<encoded id>`). */
export const MONITORING_RULE_CREATED = 'MonitoringRuleCreated.v1';
export const MONITORING_RULE_UPDATED = 'MonitoringRuleUpdated.v1';
export const MONITORING_RULE_ENABLED = 'MonitoringRuleEnabled.v1';
export const MONITORING_RULE_DISABLED = 'MonitoringRuleDisabled.v1';
export const MONITORING_RULE_DELETED = 'MonitoringRuleDeleted.v1';

interface RuleFacts {
  tenantId: string;
  ruleId: string;
  /** Who (token `sub`) and when (ISO-8601 UTC). */
  by: string;
  at: string;
}

/** Every change but deletion carries the whole rule as it is after the change (version included). */
type WithRule = RuleFacts & { rule: MonitoringRule };

export type MonitoringRuleCreated = DomainEvent<typeof MONITORING_RULE_CREATED, WithRule>;
export type MonitoringRuleUpdated = DomainEvent<typeof MONITORING_RULE_UPDATED, WithRule>;
export type MonitoringRuleEnabled = DomainEvent<typeof MONITORING_RULE_ENABLED, WithRule>;
export type MonitoringRuleDisabled = DomainEvent<typeof MONITORING_RULE_DISABLED, WithRule>;
export type MonitoringRuleDeleted = DomainEvent<typeof MONITORING_RULE_DELETED, RuleFacts & { version: number }>;
export type RuleEvent = MonitoringRuleCreated | MonitoringRuleUpdated | MonitoringRuleEnabled | MonitoringRuleDisabled | MonitoringRuleDeleted;

const TYPES: ReadonlySet<string> = new Set([MONITORING_RULE_CREATED, MONITORING_RULE_UPDATED, MONITORING_RULE_ENABLED, MONITORING_RULE_DISABLED, MONITORING_RULE_DELETED]);

export function isRuleEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

/** A recorded event of a rule stream; an unknown type is an error, never skipped silently. */
export function decodeRuleEvent(recorded: RecordedEvent): RuleEvent {
  if (!isRuleEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in rule stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as RuleEvent;
}

import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { RULE_ID_PATTERN } from './monitoring-rule';

/**
 * `rule-<tenantId>-<encoded rule id>`. Rule ids are [a-z0-9-] but stream ids may not contain "-"
 * (ADR 004), so "-" is written as "_", which rule ids never contain: the mapping is one-to-one and
 * `rule-acme-a_b` can only be rule `a-b` of tenant `acme` (ADR 014).
 */
export function ruleStreamOf(tenantId: string, ruleId: string): string {
  if (!RULE_ID_PATTERN.test(ruleId)) throw new Error(`Invalid rule id "${ruleId}"`);
  return aggregateStreamOf('rule', tenantId, ruleId.replace(/-/g, '_'));
}

export const RULE_STREAM_PREFIX = aggregateStreamPrefix('rule');

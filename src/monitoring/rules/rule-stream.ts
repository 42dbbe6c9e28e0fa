import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { RULE_ID_PATTERN } from './monitoring-rule';

/**
 * `rule-<tenantId>-<encoded rule id>`. Rule ids are [a-z0-9-]; their "-" is written as "_", which rule
 * ids never contain (ADR 014, from before stream names could escape "-" themselves, ADR 004): the
 * mapping is one-to-one and keeps the names of the streams already written.
 */
export function ruleStreamOf(tenantId: string, ruleId: string): string {
  if (!RULE_ID_PATTERN.test(ruleId)) throw new Error(`Invalid rule id "${ruleId}"`);
  return aggregateStreamOf('rule', tenantId, ruleId.replace(/-/g, '_'));
}

export const RULE_STREAM_PREFIX = aggregateStreamPrefix('rule');

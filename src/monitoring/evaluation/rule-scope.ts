import { StoredAuditEvent } from '../../audit-log/audit-event';
import { GroupByField, RuleMatch } from '../rules/monitoring-rule';

/** The part of a stored audit event that rules look at. */
export type EvaluatedEvent = Pick<StoredAuditEvent, 'id' | 'tenantId' | 'sequence' | 'occurredAt' | 'actor' | 'action' | 'outcome' | 'resource' | 'channel' | 'context' | 'metadata'>;

/** An action pattern: exact, "prefix.*" or "*.suffix". */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern.endsWith('.*')) return action.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*.')) return action.endsWith(pattern.slice(1));
  return pattern === action;
}

function oneOf(values: string[] | undefined, value: string | undefined): boolean {
  return values === undefined || (value !== undefined && values.includes(value));
}

/** Every field given must hold (AND); values inside one field are alternatives (OR). */
export function eventInScope(match: RuleMatch, event: EvaluatedEvent): boolean {
  return (
    (match.actions === undefined || match.actions.some((pattern) => actionMatches(pattern, event.action))) &&
    oneOf(match.outcomes, event.outcome) &&
    oneOf(match.resourceTypes, event.resource.type) &&
    oneOf(match.sensitivities, event.resource.sensitivity) &&
    oneOf(match.actorTypes, event.actor.type) &&
    oneOf(match.channels, event.channel)
  );
}

function fieldOf(event: EvaluatedEvent, field: GroupByField): string {
  switch (field) {
    case 'actor.id':
      return event.actor.id;
    case 'actor.type':
      return event.actor.type;
    case 'resource.type':
      return event.resource.type;
    case 'resource.id':
      return event.resource.id;
    case 'action':
      return event.action;
    case 'channel':
      return event.channel;
    case 'context.sourceService':
      return event.context?.sourceService ?? '';
  }
}

/** The group an event belongs to, e.g. `{"actor.id": "bob"}`; `{}` when the rule does not group. */
export function groupKeyOf(groupBy: readonly GroupByField[] | undefined, event: EvaluatedEvent): Record<string, string> {
  const key: Record<string, string> = {};
  for (const field of groupBy ?? []) key[field] = fieldOf(event, field);
  return key;
}

/** How much an event counts towards a `records` threshold: metadata.recordCount if a positive integer, else 1. */
export function recordWeightOf(event: Pick<EvaluatedEvent, 'metadata'>): number {
  const count = event.metadata?.recordCount;
  return typeof count === 'number' && Number.isSafeInteger(count) && count > 0 ? count : 1;
}

import { auditDocumentId, sortKeyOf } from '../../audit-log/audit-log.read-model';
import { AuditActorType, Channel, Outcome, Sensitivity, StoredAuditEvent } from '../../audit-log/audit-event';
import { CollectionDefinition } from '../../read-store/read-store.port';
import { EvaluatedEvent, recordWeightOf } from '../evaluation/rule-scope';

/**
 * The engine's compact copy of every audit event: only what rules look at. A backtest scans a
 * tenant's period here instead of the audit-log read model, whose ~1.3 KiB documents take 5.5 s just
 * to read for 1,000,000 events (18 s with parsing) against a 5 s budget (ADR 026).
 */
export const EVALUATED_EVENTS = 'monitoring_evaluated_events';

/**
 * Positional, to keep rows small and parsing cheap (the event id, occurredAt and sequence are in the
 * document's id and sortKey already):
 * [actor.id, actor.type, action, outcome, resource.type, resource.id, resource.sensitivity | null,
 *  channel, context.sourceService | null, record weight].
 */
type EvaluatedTuple = [string, AuditActorType, string, Outcome, string, string, Sensitivity | null, Channel, string | null, number];

export interface EvaluatedEventDocument {
  /** `<tenantId>:<eventId>`, as in the audit log, so that retention removes it by event id. */
  id: string;
  tenantId: string;
  sortKey: string;
  e: EvaluatedTuple;
}

export const EVALUATED_EVENTS_COLLECTION: CollectionDefinition = {
  name: EVALUATED_EVENTS,
  fields: { tenantId: 'string', sortKey: 'string' },
  indexes: [{ name: 'by_time', keys: [['tenantId', 1], ['sortKey', 1]] }],
};

export function evaluatedEventDocument(event: StoredAuditEvent): EvaluatedEventDocument {
  return {
    id: auditDocumentId(event.tenantId, event.id),
    tenantId: event.tenantId,
    sortKey: sortKeyOf(event.occurredAt, event.sequence),
    e: [
      event.actor.id,
      event.actor.type,
      event.action,
      event.outcome,
      event.resource.type,
      event.resource.id,
      event.resource.sensitivity ?? null,
      event.channel,
      event.context?.sourceService ?? null,
      recordWeightOf(event),
    ],
  };
}

/** The event as rules see it (metadata.recordCount carries the record weight). */
export function evaluatedEventOf(doc: EvaluatedEventDocument): EvaluatedEvent {
  const [actorId, actorType, action, outcome, resourceType, resourceId, sensitivity, channel, sourceService, weight] = doc.e;
  const separator = doc.sortKey.lastIndexOf('|');
  return {
    id: doc.id.slice(doc.tenantId.length + 1),
    tenantId: doc.tenantId,
    sequence: Number(doc.sortKey.slice(separator + 1)),
    occurredAt: doc.sortKey.slice(0, separator),
    actor: { id: actorId, type: actorType },
    action,
    outcome,
    resource: sensitivity === null ? { type: resourceType, id: resourceId } : { type: resourceType, id: resourceId, sensitivity },
    channel,
    ...(sourceService === null ? {} : { context: { sourceService } }),
    metadata: { recordCount: weight },
  };
}

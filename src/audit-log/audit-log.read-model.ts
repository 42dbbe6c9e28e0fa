import { CollectionDefinition } from '../read-store/read-store.port';
import { StoredAuditEvent } from './audit-event';

/** Read-model names and shapes shared by the audit-log projection and its readers. */
export const AUDIT_EVENTS = 'audit_events';
export const AUDIT_TENANTS = 'audit_tenants';

/**
 * One index entry per event (ADR 031): what the list filters, the sort and the own-records check
 * read, and the event's sequence, by which its body is read from the log (AuditEventBodies). The body
 * is not copied here: the log is the one copy of the evidence.
 */
export interface AuditEventDocument {
  /** `<tenantId>:<eventId>` — event ids are only unique within a tenant. */
  id: string;
  eventId: string;
  tenantId: string;
  sequence: number;
  /** occurredAt (24 chars, UTC) + '|' + sequence (12 digits): newest-first order and cursor key. */
  sortKey: string;
  actor: { id: string; type: string };
  action: string;
  outcome: string;
  resource: { type: string; id: string };
  channel: string;
  context?: { sourceService?: string };
}

/** Projection progress per tenant (read-your-writes, idempotency window). */
export interface AuditTenantDocument {
  id: string;
  headSequence: number;
  headHash: string;
  /** Events of the tenant's stream the projection had to park (ADR 009): its log is incomplete here. */
  unreadable?: UnreadableAuditEvent[];
}

export interface UnreadableAuditEvent {
  sequence: number;
  eventId: string;
  error: string;
}

export function auditDocumentId(tenantId: string, eventId: string): string {
  return `${tenantId}:${eventId}`;
}

export function sortKeyOf(occurredAt: string, sequence: number): string {
  return `${occurredAt}|${String(sequence).padStart(12, '0')}`;
}

/** The index entry of a stored event. */
export function auditEntryOf(event: StoredAuditEvent): AuditEventDocument {
  const doc: AuditEventDocument = {
    id: auditDocumentId(event.tenantId, event.id),
    eventId: event.id,
    tenantId: event.tenantId,
    sequence: event.sequence,
    sortKey: sortKeyOf(event.occurredAt, event.sequence),
    actor: { id: event.actor.id, type: event.actor.type },
    action: event.action,
    outcome: event.outcome,
    resource: { type: event.resource.type, id: event.resource.id },
    channel: event.channel,
  };
  if (event.context?.sourceService !== undefined) doc.context = { sourceService: event.context.sourceService };
  return doc;
}

const byTime = (...prefix: string[]): Array<[string, 1 | -1]> => [['tenantId', 1], ...prefix.map((f): [string, 1] => [f, 1]), ['sortKey', -1]];

export const AUDIT_EVENTS_COLLECTION: CollectionDefinition = {
  name: AUDIT_EVENTS,
  fields: {
    tenantId: 'string',
    sortKey: 'string',
    sequence: 'number',
    'actor.id': 'string',
    'actor.type': 'string',
    action: 'string',
    outcome: 'string',
    'resource.type': 'string',
    'resource.id': 'string',
    channel: 'string',
    // excludeSelfAudit: a residual condition on whichever index the other filters pick, not indexed itself.
    'context.sourceService': 'string',
  },
  indexes: [
    { name: 'by_time', keys: byTime() },
    { name: 'by_actor', keys: byTime('actor.id') },
    { name: 'by_actor_type', keys: byTime('actor.type') },
    { name: 'by_resource', keys: byTime('resource.type', 'resource.id') },
    { name: 'by_action', keys: byTime('action') },
    { name: 'by_outcome', keys: byTime('outcome') },
    { name: 'by_channel', keys: byTime('channel') },
    { name: 'by_sequence', keys: [['tenantId', 1], ['sequence', 1]], unique: true },
  ],
};

export const AUDIT_TENANTS_COLLECTION: CollectionDefinition = {
  name: AUDIT_TENANTS,
  fields: { headSequence: 'number' },
  indexes: [],
};

/**
 * The index to use for a filter: the first, in order of selectivity, whose equality fields the
 * filter all constrains (so that it returns rows already in sortKey order). Statistics-free planners (and sampled statistics) otherwise pick e.g. the
 * action index (8 values) over the actor index (thousands) for a combined filter.
 */
const INDEX_PREFERENCE: Array<[index: string, equalityFields: string[]]> = [
  ['by_resource', ['resource.type', 'resource.id']],
  ['by_actor', ['actor.id']],
  ['by_action', ['action']],
  // Not by_resource for resource.type alone: resource.id precedes sortKey there, so rows would need sorting.
  ['by_actor_type', ['actor.type']],
  ['by_outcome', ['outcome']],
  ['by_channel', ['channel']],
];

export function auditIndexFor(filter: Record<string, unknown>): string {
  const isEquality = (field: string) => typeof filter[field] === 'string';
  return INDEX_PREFERENCE.find(([, fields]) => fields.every(isEquality))?.[0] ?? 'by_time';
}

/** The equality fields (besides tenantId) that precede sortKey in an index auditIndexFor returns. */
export function auditIndexEqualityFields(index: string): string[] {
  return INDEX_PREFERENCE.find(([name]) => name === index)?.[1] ?? [];
}

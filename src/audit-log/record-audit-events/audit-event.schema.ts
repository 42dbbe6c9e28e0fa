import { SERVICE_NAME } from '../audit-event';
import { AUDIT_ACTOR_TYPES, CHANNELS, MAX_JSON_DEPTH, OUTCOMES, SENSITIVITIES } from '../audit-event';
import { RFC3339_DATE_TIME_PATTERN } from './rfc3339';

const text = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength }) as const;

/** JSON Schema (draft 2020-12 subset, also valid OpenAPI 3 schema) of one submitted audit event. */
export const AUDIT_EVENT_SCHEMA = {
  type: 'object',
  description:
    `Limits beyond this schema: objects and arrays nest at most ${MAX_JSON_DEPTH} levels, the event itself being level 1 ` +
    '(metadata is level 2, changes.before level 3); no string or key may contain a lone surrogate; every number must be ' +
    `an IEEE-754 double below 2^53 in magnitude (an integer must be within ±${Number.MAX_SAFE_INTEGER}; send larger or ` +
    'exact decimal values as strings; 1e400, which overflows to Infinity, is refused too). Identifiers (actor.id, role, sessionId, ' +
    'onBehalfOf, resource.type and id, the context ids, dataSubjects) must not be blank and must not contain control characters. ' +
    'Violations answer 422 with the field path. At most 64 KiB per event.',
  additionalProperties: false,
  required: ['occurredAt', 'actor', 'action', 'resource', 'channel'],
  properties: {
    id: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'UUID idempotency key (stored lower-case); assigned by the server if absent.',
    },
    tenantId: { ...text(128), pattern: '^[A-Za-z0-9_.:]+$', description: 'Platform ingestors only; others write to their token tenant.' },
    occurredAt: {
      type: 'string',
      format: 'date-time',
      pattern: RFC3339_DATE_TIME_PATTERN,
      description:
        'RFC 3339 date-time with an offset (Z or ±HH:MM), years 0001-9999, at most 9 fraction digits (kept to milliseconds), ' +
        'no leap second; stored in UTC; at most 5 minutes in the future.',
    },
    actor: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'type'],
      properties: {
        id: text(256),
        type: { type: 'string', enum: [...AUDIT_ACTOR_TYPES] },
        role: text(128),
        sessionId: text(256),
        ip: { anyOf: [{ type: 'string', format: 'ipv4' }, { type: 'string', format: 'ipv6' }] },
        userAgent: text(1024),
        onBehalfOf: text(256),
      },
    },
    action: { ...text(128), pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$', examples: ['invoice.update'] },
    outcome: { type: 'string', enum: [...OUTCOMES], default: 'success' },
    resource: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'id'],
      properties: {
        type: text(128),
        id: text(256),
        name: text(512),
        sensitivity: { type: 'string', enum: [...SENSITIVITIES] },
      },
    },
    changes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        before: { type: ['object', 'null'], description: `The record before the change; nests to level ${MAX_JSON_DEPTH} of the event at most.` },
        after: { type: ['object', 'null'], description: `The record after the change; nests to level ${MAX_JSON_DEPTH} of the event at most.` },
      },
    },
    channel: { type: 'string', enum: [...CHANNELS] },
    context: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestId: text(256),
        correlationId: text(256),
        workflowId: text(256),
        sourceService: {
          ...text(256),
          description: `The emitting service. "${SERVICE_NAME}" (in any case) is refused: it marks the audit service's own records.`,
        },
      },
    },
    dataSubjects: { type: 'array', maxItems: 1000, uniqueItems: true, items: text(256) },
    metadata: { type: 'object', description: `Free-form JSON object; nests to level ${MAX_JSON_DEPTH} of the event at most.` },
  },
} as const;

export const AUDIT_EVENT_EXAMPLE = {
  id: '3f1c2a9e-8b7d-4c6e-9a1f-2b3c4d5e6f70',
  occurredAt: '2026-11-26T09:15:00.000Z',
  actor: { id: 'alice', type: 'user', role: 'finance_manager', sessionId: 's-81', ip: '203.0.113.7' },
  action: 'invoice.update',
  outcome: 'success',
  resource: { type: 'invoice', id: 'INV-1042', sensitivity: 'financial' },
  changes: { before: { amount: 1200, status: 'draft' }, after: { amount: 1250, status: 'approved' } },
  channel: 'ui',
  context: { requestId: 'req-9a', sourceService: 'billing' },
};

export const AUDIT_BATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, items: AUDIT_EVENT_SCHEMA } },
} as const;

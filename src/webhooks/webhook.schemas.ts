import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AUDIT_ACTOR_TYPES, CHANNELS, OUTCOMES } from '../audit-log/audit-event';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_ID_PATTERN } from './endpoints/webhook-endpoint';
import { DELIVERY_ID_PATTERN } from './delivery/delivery-state';

/** OpenAPI schemas of /v1/webhooks (ARCHITECTURE §9). */
export const WEBHOOK_ID_PARAM = { name: 'id', schema: { type: 'string', pattern: WEBHOOK_ID_PATTERN.source } } as const;
export const DELIVERY_ID_PARAM = { name: 'deliveryId', schema: { type: 'string', pattern: DELIVERY_ID_PATTERN.source } } as const;

export const AUDIT_FEED_FILTER_SCHEMA: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  description: 'For audit.events: the list filters of GET /v1/audit-events; only matching events are sent.',
  properties: {
    from: { type: 'string', format: 'date-time', description: 'occurredAt ≥ from' },
    to: { type: 'string', format: 'date-time', description: 'occurredAt < to' },
    actorId: { type: 'string', maxLength: 256 },
    actorType: { type: 'string', enum: [...AUDIT_ACTOR_TYPES] },
    resourceType: { type: 'string', maxLength: 128 },
    resourceId: { type: 'string', maxLength: 256 },
    action: { type: 'string', maxLength: 128 },
    outcome: { type: 'string', enum: [...OUTCOMES] },
    channel: { type: 'string', enum: [...CHANNELS] },
    excludeSelfAudit: { type: 'boolean' },
  },
};

const EVENT_TYPES: SchemaObject = { type: 'array', minItems: 1, items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } };

const SETTINGS: Record<string, SchemaObject> = {
  url: { type: 'string', format: 'uri', maxLength: 2048, description: 'https in production; no loopback, private, link-local or metadata targets (checked again at every delivery against the resolved address)' },
  description: { type: 'string', maxLength: 1000, nullable: true },
  eventTypes: EVENT_TYPES,
  filter: AUDIT_FEED_FILTER_SCHEMA,
  enabled: { type: 'boolean', default: true },
};

export const WEBHOOK_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: WEBHOOK_ID_PATTERN.source },
    ...SETTINGS,
    disabledReason: { type: 'string', nullable: true, description: 'Set when the service disabled the endpoint (e.g. the receiver answered 410)' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
    version: { type: 'integer' },
    secretRotatedAt: { type: 'string', format: 'date-time', nullable: true },
    previousSecretExpiresAt: { type: 'string', format: 'date-time', nullable: true, description: 'Until then deliveries carry a second signature made with the previous secret' },
  },
};

const SECRET: SchemaObject = { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]{43}=$', description: 'The Standard Webhooks signing secret; shown only in this answer' };

export const CREATED_WEBHOOK_SCHEMA: SchemaObject = { allOf: [WEBHOOK_SCHEMA, { type: 'object', required: ['secret'], properties: { secret: SECRET } }] };

export const CREATE_WEBHOOK_SCHEMA: SchemaObject = { type: 'object', additionalProperties: false, required: ['url', 'eventTypes'], properties: SETTINGS };
export const UPDATE_WEBHOOK_SCHEMA: SchemaObject = { type: 'object', additionalProperties: false, description: 'The fields given replace the current ones', properties: SETTINGS };

export const ROTATED_SECRET_SCHEMA: SchemaObject = { type: 'object', properties: { secret: SECRET, previousSecretExpiresAt: { type: 'string', format: 'date-time' }, webhook: WEBHOOK_SCHEMA } };

export const DELIVERY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: DELIVERY_ID_PATTERN.source, description: 'Also the webhook-id header of every attempt' },
    webhookId: { type: 'string' },
    eventType: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES, 'webhook.test'] },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    createdAt: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: 'string', format: 'date-time', nullable: true },
    audit: {
      type: 'object',
      nullable: true,
      properties: { fromSequence: { type: 'integer' }, toSequence: { type: 'integer' }, count: { type: 'integer' }, feed: { type: 'boolean' }, replayId: { type: 'string', nullable: true } },
    },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          httpStatus: { type: 'integer', nullable: true },
          durationMs: { type: 'integer' },
          error: { type: 'string', nullable: true, description: 'Why it failed, or the first 500 characters of the answer' },
          outcome: { type: 'string', enum: ['delivered', 'retrying', 'failed', 'gone'] },
        },
      },
    },
  },
};

export const DELIVERY_LIST_SCHEMA: SchemaObject = { type: 'object', properties: { items: { type: 'array', items: DELIVERY_SCHEMA }, nextCursor: { type: 'string', nullable: true } } };

export const REPLAY_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time', description: 'occurredAt ≥ from' }, to: { type: 'string', format: 'date-time', description: 'occurredAt < to' } },
};

export const REPLAY_SCHEMA: SchemaObject = { type: 'object', properties: { replayId: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, status: { type: 'string', enum: ['started'] } } };

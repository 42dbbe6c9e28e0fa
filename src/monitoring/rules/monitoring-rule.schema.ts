import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AUDIT_ACTOR_TYPES, CHANNELS, OUTCOMES, SENSITIVITIES } from '../../audit-log/audit-event';
import { GROUP_BY_FIELDS, RULE_ID_PATTERN, SEVERITIES } from './monitoring-rule';

/** OpenAPI schemas of monitoring rules (ARCHITECTURE §7). */
const strings = (values?: readonly string[]): SchemaObject => ({ type: 'array', minItems: 1, items: values ? { type: 'string', enum: [...values] } : { type: 'string' } });
const groupBy: SchemaObject = { type: 'array', items: { type: 'string', enum: [...GROUP_BY_FIELDS] } };

export const RULE_MATCH_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  description: 'Every field given must hold (AND); values inside one field are alternatives (OR). Action patterns may end in ".*" or start with "*.".',
  properties: {
    actions: strings(),
    outcomes: strings(OUTCOMES),
    resourceTypes: strings(),
    sensitivities: strings(SENSITIVITIES),
    actorTypes: strings(AUDIT_ACTOR_TYPES),
    channels: strings(CHANNELS),
  },
};

export const RULE_CONDITION_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['match'] }, groupBy } },
    {
      type: 'object',
      required: ['type', 'threshold', 'windowSeconds'],
      properties: {
        type: { type: 'string', enum: ['threshold'] },
        threshold: { type: 'integer', minimum: 1 },
        windowSeconds: { type: 'integer', minimum: 1, maximum: 604800 },
        groupBy,
        count: { type: 'string', enum: ['events', 'records'], default: 'events', description: 'records: metadata.recordCount (positive integer) or 1 per event' },
      },
    },
    {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['outside_hours'] },
        timezone: { type: 'string', description: "IANA timezone; absent: the tenant's timezone (/v1/tenant-settings, UTC until set)" },
        businessDays: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, default: [1, 2, 3, 4, 5], description: 'ISO weekdays, 1 = Monday' },
        startTime: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: '08:00' },
        endTime: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: '18:00' },
        groupBy,
      },
    },
  ],
};

const RECIPIENTS_SCHEMA: SchemaObject = { type: 'object', properties: { userIds: { type: 'array', items: { type: 'string' } }, roles: { type: 'array', items: { type: 'string' } } } };

const DEFINITION_PROPERTIES: Record<string, SchemaObject> = {
  name: { type: 'string', maxLength: 200 },
  description: { type: 'string', maxLength: 2000 },
  severity: { type: 'string', enum: [...SEVERITIES] },
  match: RULE_MATCH_SCHEMA,
  condition: RULE_CONDITION_SCHEMA,
  suppressionSeconds: { type: 'integer', minimum: 0, maximum: 2592000, description: 'After an alert for (rule, group), later matches in this time join it' },
  recipients: RECIPIENTS_SCHEMA,
};

export const RULE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: RULE_ID_PATTERN.source },
    builtIn: { type: 'boolean' },
    enabled: { type: 'boolean' },
    ...DEFINITION_PROPERTIES,
    version: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time', nullable: true },
    updatedBy: { type: 'string', nullable: true },
  },
};

export const CREATE_RULE_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'severity', 'match', 'condition'],
  properties: { id: { type: 'string', pattern: RULE_ID_PATTERN.source }, enabled: { type: 'boolean', default: true }, ...DEFINITION_PROPERTIES },
};

export const UPDATE_RULE_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  description: 'The fields given replace the current ones (match and condition as a whole); absent fields keep their value.',
  properties: DEFINITION_PROPERTIES,
};

export const BACKTEST_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  description: 'Exactly one of ruleId (a saved rule, evaluated even if disabled) and rule (a draft; id optional).',
  properties: {
    ruleId: { type: 'string', pattern: RULE_ID_PATTERN.source },
    rule: { type: 'object', properties: { id: { type: 'string', pattern: RULE_ID_PATTERN.source }, ...DEFINITION_PROPERTIES } },
    from: { type: 'string', format: 'date-time', description: 'occurredAt, inclusive' },
    to: { type: 'string', format: 'date-time', description: 'occurredAt, exclusive' },
  },
};

export const BACKTEST_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    rule: RULE_SCHEMA,
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          groupKey: { type: 'object', additionalProperties: { type: 'string' } },
          windowStart: { type: 'string', format: 'date-time' },
          windowEnd: { type: 'string', format: 'date-time' },
          eventCount: { type: 'integer' },
          recordCount: { type: 'integer' },
          eventIds: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    alertsTruncated: { type: 'boolean', description: 'More than 1000 alerts would have been raised; the first 1000 are listed' },
    eventsScanned: { type: 'integer' },
  },
};

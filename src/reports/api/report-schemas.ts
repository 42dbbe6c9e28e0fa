import { TEMPLATE_FIELDS } from '../templates/configurable-template';

/** OpenAPI schemas of the reports API (ARCHITECTURE §10). */
const FIGURES = { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, label: { type: 'string' }, value: { type: 'number' } } } };

export const EVIDENCE_SCHEMA = {
  type: 'object',
  nullable: true,
  description: 'Null until the report is ready.',
  properties: {
    tenantId: { type: 'string' },
    headSequence: { type: 'integer', description: 'The report read the tenant\'s events up to this sequence (-1: none), fixed when it was requested' },
    headHash: { type: 'string', description: 'Chain hash of the event at headSequence' },
    firstSequence: { type: 'integer', nullable: true, description: 'Smallest sequence in the population' },
    lastSequence: { type: 'integer', nullable: true, description: 'Largest sequence in the population' },
    eventsConsidered: { type: 'integer', description: 'Events of the period (≤ head) examined' },
    fileSha256: { type: 'string', description: 'Hex SHA-256 of the file' },
    signature: { type: 'object', properties: { alg: { type: 'string', enum: ['Ed25519'] }, keyId: { type: 'string' }, value: { type: 'string', description: 'base64 Ed25519 signature over the UTF-8 text of fileSha256' } } },
    generatedAt: { type: 'string', format: 'date-time' },
    generatorVersion: { type: 'string' },
  },
};

export const REPORT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'ready', 'failed'] },
    template: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, name: { type: 'string' }, framework: { type: 'string' } } },
    period: { type: 'object', properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, timezone: { type: 'string' } } },
    format: { type: 'string', enum: ['pdf', 'csv'] },
    parameters: { type: 'object', additionalProperties: true },
    requestedBy: { type: 'string', description: 'Token sub, or schedule:<scheduleId>' },
    scheduleId: { type: 'string', nullable: true },
    delivery: { type: 'object', nullable: true, properties: { notify: { type: 'boolean' }, webhookIds: { type: 'array', items: { type: 'string' } }, emails: { type: 'array', items: { type: 'string' } } } },
    requestedAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time', nullable: true },
    completedAt: { type: 'string', format: 'date-time', nullable: true },
    failedAt: { type: 'string', format: 'date-time', nullable: true },
    failureReason: { type: 'string', nullable: true },
    attempts: { type: 'integer' },
    summary: { ...FIGURES, nullable: true },
    evidence: EVIDENCE_SCHEMA,
    file: { type: 'object', nullable: true, properties: { filename: { type: 'string' }, contentType: { type: 'string' }, bytes: { type: 'integer' }, rows: { type: 'integer', nullable: true } } },
    links: { type: 'object', properties: { self: { type: 'string' }, download: { type: 'string', nullable: true }, verify: { type: 'string', nullable: true } } },
  },
};

export const REPORT_REQUEST_SCHEMA = {
  type: 'object',
  required: ['templateId', 'from', 'to', 'format'],
  additionalProperties: false,
  properties: {
    templateId: { type: 'string', example: 'sox-privileged-access' },
    templateVersion: { type: 'integer', minimum: 1, description: 'Default: the latest version' },
    from: { type: 'string', format: 'date-time', description: 'occurredAt ≥ from (RFC 3339 with offset)', example: '2026-10-01T00:00:00Z' },
    to: { type: 'string', format: 'date-time', description: 'occurredAt < to', example: '2026-11-01T00:00:00Z' },
    timezone: { type: 'string', description: 'IANA timezone for days and business hours; default: the tenant\'s timezone', example: 'Europe/Berlin' },
    format: { type: 'string', enum: ['pdf', 'csv'] },
    parameters: { type: 'object', additionalProperties: true, description: 'Template parameters, e.g. {"privilegedRoles": ["super_admin"]}' },
    delivery: { type: 'object', properties: { notify: { type: 'boolean' }, webhookIds: { type: 'array', items: { type: 'string' } }, emails: { type: 'array', items: { type: 'string', format: 'email' } } } },
  },
};

const MATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'All given conditions hold (AND); values within one are alternatives (OR). Actions may be "prefix.*" or "*.suffix".',
  properties: Object.fromEntries([
    ...['actions', 'outcomes', 'resourceTypes', 'sensitivities', 'actorTypes', 'channels', 'actorIds', 'actorRoles', 'resourceIds'].map((k) => [k, { type: 'array', items: { type: 'string' } }]),
    ['excludeSelfAudit', { type: 'boolean' }],
  ]),
};
const FIELD = { type: 'string', description: `An event field: ${TEMPLATE_FIELDS.join(', ')} or metadata.<key>` };

export const TEMPLATE_BODY_SCHEMA = {
  type: 'object',
  required: ['name', 'framework', 'description', 'sections', 'summary'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$', description: 'Required on POST; on PUT the path names it' },
    name: { type: 'string' },
    framework: { type: 'string', example: 'ISO 27001' },
    description: { type: 'string' },
    sections: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: { type: 'object', required: ['title', 'match', 'columns'], properties: { title: { type: 'string' }, description: { type: 'string' }, match: MATCH_SCHEMA, columns: { type: 'array', items: FIELD }, groupBy: FIELD } },
    },
    summary: {
      type: 'array',
      items: { type: 'object', required: ['name', 'section', 'aggregate'], properties: { name: { type: 'string' }, label: { type: 'string' }, section: { type: 'string', description: 'A section title' }, aggregate: { type: 'string', enum: ['count', 'distinct'] }, field: FIELD } },
    },
  },
};

export const TEMPLATE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    name: { type: 'string' },
    framework: { type: 'string' },
    description: { type: 'string' },
    builtIn: { type: 'boolean', description: 'Built-in templates and the untouched industry examples' },
    parameters: { type: 'object', additionalProperties: true, description: 'Parameters the template understands, with their defaults' },
    definition: { ...TEMPLATE_BODY_SCHEMA, description: 'Configurable templates only' },
    updatedAt: { type: 'string', format: 'date-time', nullable: true },
    updatedBy: { type: 'string', nullable: true },
  },
};

export const VERIFY_SCHEMA = {
  type: 'object',
  properties: {
    fileHashValid: { type: 'boolean', description: 'The stored file still has the SHA-256 of the evidence' },
    signatureValid: { type: 'boolean', description: 'The Ed25519 signature verifies over the file\'s SHA-256 with the key named in the evidence' },
    chainHeadPresent: { type: 'boolean', description: 'The tenant\'s audit stream still holds the head event with the evidence\'s hash' },
    fileSha256: { type: 'string' },
    evidence: EVIDENCE_SCHEMA,
  },
};

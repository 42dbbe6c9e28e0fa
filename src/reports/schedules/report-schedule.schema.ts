import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SCHEDULE_ID_PATTERN } from './report-schedule';
import { FORMATS, FREQUENCIES, MAX_RECIPIENTS, TEMPLATE_ID_PATTERN, TIME_PATTERN } from './report-schedule-input';

/** OpenAPI schemas of report schedules (ARCHITECTURE §10). */
const PERIOD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time', description: 'inclusive' }, to: { type: 'string', format: 'date-time', description: 'exclusive' } },
};

export const SCHEDULE_DEFINITION_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['templateId', 'frequency', 'time', 'format', 'delivery'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    templateId: { type: 'string', pattern: TEMPLATE_ID_PATTERN.source, example: 'sox-privileged-access' },
    frequency: { type: 'string', enum: [...FREQUENCIES], description: 'daily reports the previous local day; weekly the last complete Monday–Sunday week; monthly the previous calendar month' },
    timezone: { type: 'string', example: 'Europe/Berlin', description: "IANA time zone of `time` and of the periods; default: the tenant's time zone" },
    time: { type: 'string', pattern: TIME_PATTERN.source, example: '06:00', description: 'local run time; a time skipped by a DST change runs once, shifted by the gap; a repeated one runs once, the first time' },
    dayOfWeek: { type: 'integer', minimum: 1, maximum: 7, description: 'weekly only (required): ISO weekday, 1 = Monday' },
    dayOfMonth: { type: 'integer', minimum: 1, maximum: 28, description: 'monthly only (required)' },
    format: { type: 'string', enum: [...FORMATS] },
    parameters: { type: 'object', additionalProperties: true, description: "the template's parameters" },
    delivery: {
      type: 'object',
      additionalProperties: false,
      required: ['notify'],
      properties: {
        notify: { type: 'boolean', description: "notify the tenant's alert recipients when the report is ready" },
        webhookIds: { type: 'array', maxItems: MAX_RECIPIENTS, items: { type: 'string' }, description: 'send report.ready (with a download link) to these webhook endpoints' },
        emails: { type: 'array', maxItems: MAX_RECIPIENTS, items: { type: 'string', format: 'email' }, description: 'e-mail the report (needs SMTP_URL; refused with 422 otherwise)' },
      },
    },
    enabled: { type: 'boolean', default: true, description: 'a disabled schedule runs nothing; enabling it again does not catch up the periods in between' },
  },
};

const RUN_SCHEMA: SchemaObject = {
  type: 'object',
  nullable: true,
  properties: {
    reportId: { type: 'string' },
    period: PERIOD_SCHEMA,
    trigger: { type: 'string', enum: ['schedule', 'manual'] },
    scheduledFor: { type: 'string', format: 'date-time', nullable: true },
    requestedAt: { type: 'string', format: 'date-time' },
    requestedBy: { type: 'string' },
    status: { type: 'string', description: "the report's status when requested; GET /v1/reports/{reportId} has the current one" },
  },
};

export const SCHEDULE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'templateId', 'frequency', 'timezone', 'time', 'format', 'delivery', 'enabled', 'version', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'nextRunAt', 'lastRun'],
  properties: {
    id: { type: 'string', pattern: SCHEDULE_ID_PATTERN.source },
    ...SCHEDULE_DEFINITION_SCHEMA.properties,
    version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
    nextRunAt: { type: 'string', format: 'date-time', nullable: true, description: 'the next due run; in the past only while missed runs are being caught up; null when disabled' },
    lastRun: RUN_SCHEMA,
  },
};

export const RUN_NOW_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['scheduleId', 'reportId', 'created', 'status', 'period'],
  properties: {
    scheduleId: { type: 'string' },
    reportId: { type: 'string', description: 'deterministic per schedule and period: the same period asked again returns the same report' },
    created: { type: 'boolean', description: 'false: that period had been requested before' },
    status: { type: 'string', enum: ['queued', 'running', 'ready', 'failed'] },
    period: PERIOD_SCHEMA,
  },
};

import { RequestValidationError } from '../../http/request-validation.error';
import { STREAM_ID_PATTERN } from '../../event-store/stream-names';
import { ReportScheduleDefinition } from './report-schedule';
import { Frequency, isIanaTimezone } from './schedule-time';

type Errors = Array<{ path: string; message: string }>;
type Json = Record<string, unknown>;

export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly', 'monthly'];
export const FORMATS = ['pdf', 'csv'] as const;
export const TIME_PATTERN = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** Template ids: lower-case words joined by "-" (built-ins such as `sox-privileged-access`, custom ones alike). */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A practical address check (RFC 5321 lengths, one "@", a dotted domain); the SMTP server has the last word. */
const EMAIL_PATTERN = /^[^\s@<>(),;:"[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const MAX_RECIPIENTS = 20;
const MAX_PARAMETERS_BYTES = 16 * 1024;

const FIELDS = ['name', 'templateId', 'frequency', 'timezone', 'time', 'dayOfWeek', 'dayOfMonth', 'format', 'parameters', 'delivery', 'enabled'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A schedule definition from a request body (POST and PUT take the whole definition). Every problem is
 * reported with its field path (400); `timezone` falls back to `defaultTimezone` (the tenant's).
 */
export function scheduleDefinitionOf(body: unknown, defaultTimezone: string): ReportScheduleDefinition {
  const errors: Errors = [];
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  for (const key of Object.keys(body)) if (!FIELDS.includes(key)) errors.push({ path: key, message: 'is not a known field' });

  const name = body.name;
  if (name !== undefined && (typeof name !== 'string' || name.trim().length === 0 || name.length > 200)) errors.push({ path: 'name', message: 'must be a non-empty string of at most 200 characters' });
  if (typeof body.templateId !== 'string' || !TEMPLATE_ID_PATTERN.test(body.templateId)) errors.push({ path: 'templateId', message: 'must be a template id (1-64 of a-z 0-9 -)' });
  const frequency = body.frequency as Frequency;
  if (!FREQUENCIES.includes(frequency)) errors.push({ path: 'frequency', message: `must be one of ${FREQUENCIES.join(', ')}` });
  const timezone = body.timezone === undefined ? defaultTimezone : body.timezone;
  if (typeof timezone !== 'string' || !isIanaTimezone(timezone)) errors.push({ path: 'timezone', message: 'must be an IANA time zone, e.g. Europe/Berlin' });
  if (typeof body.time !== 'string' || !TIME_PATTERN.test(body.time)) errors.push({ path: 'time', message: 'must be a local time "HH:MM" (00:00-23:59)' });
  checkDay(body, 'dayOfWeek', frequency === 'weekly', 1, 7, 'an ISO weekday, 1 (Monday) to 7 (Sunday)', errors);
  checkDay(body, 'dayOfMonth', frequency === 'monthly', 1, 28, 'a day of the month from 1 to 28', errors);
  if (!FORMATS.includes(body.format as (typeof FORMATS)[number])) errors.push({ path: 'format', message: 'must be pdf or csv' });
  if (body.parameters !== undefined && (!isObject(body.parameters) || JSON.stringify(body.parameters).length > MAX_PARAMETERS_BYTES)) {
    errors.push({ path: 'parameters', message: 'must be an object (at most 16 KiB as JSON)' });
  }
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') errors.push({ path: 'enabled', message: 'must be a boolean' });
  const delivery = deliveryOf(body.delivery, errors);
  if (errors.length > 0) throw new RequestValidationError(errors);

  const definition: ReportScheduleDefinition = {
    ...(name !== undefined ? { name: (name as string).trim() } : {}),
    templateId: body.templateId as string,
    frequency,
    timezone: timezone as string,
    time: body.time as string,
    ...(frequency === 'weekly' ? { dayOfWeek: body.dayOfWeek as number } : {}),
    ...(frequency === 'monthly' ? { dayOfMonth: body.dayOfMonth as number } : {}),
    format: body.format as ReportScheduleDefinition['format'],
    ...(body.parameters !== undefined ? { parameters: body.parameters as Record<string, unknown> } : {}),
    delivery,
    enabled: body.enabled === undefined ? true : (body.enabled as boolean),
  };
  return definition;
}

function checkDay(body: Json, field: 'dayOfWeek' | 'dayOfMonth', required: boolean, min: number, max: number, what: string, errors: Errors): void {
  const value = body[field];
  if (!required) {
    if (value !== undefined) errors.push({ path: field, message: `is only for ${field === 'dayOfWeek' ? 'weekly' : 'monthly'} schedules` });
    return;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) errors.push({ path: field, message: `is required: ${what}` });
}

function deliveryOf(value: unknown, errors: Errors): ReportScheduleDefinition['delivery'] {
  if (!isObject(value)) {
    errors.push({ path: 'delivery', message: 'must be an object {notify, webhookIds?, emails?}' });
    return { notify: false };
  }
  for (const key of Object.keys(value)) if (!['notify', 'webhookIds', 'emails'].includes(key)) errors.push({ path: `delivery.${key}`, message: 'is not a known field' });
  if (typeof value.notify !== 'boolean') errors.push({ path: 'delivery.notify', message: 'must be a boolean' });
  const webhookIds = list(value.webhookIds, 'delivery.webhookIds', (id) => STREAM_ID_PATTERN.test(id) || /^[0-9a-f-]{36}$/.test(id), 'must be a webhook endpoint id', errors);
  const emails = list(value.emails, 'delivery.emails', (email) => email.length <= 254 && EMAIL_PATTERN.test(email), 'must be an e-mail address', errors);
  return { notify: value.notify as boolean, ...(webhookIds ? { webhookIds } : {}), ...(emails ? { emails } : {}) };
}

function list(value: unknown, path: string, valid: (item: string) => boolean, message: string, errors: Errors): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_RECIPIENTS) {
    errors.push({ path, message: `must be an array of at most ${MAX_RECIPIENTS} strings` });
    return undefined;
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !valid(item)) errors.push({ path: `${path}[${i}]`, message });
  });
  return value.length === 0 ? undefined : [...new Set(value as string[])];
}

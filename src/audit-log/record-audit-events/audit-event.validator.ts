import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SERVICE_NAME } from '../audit-event';
import { AuditEventInput, MAX_BATCH_EVENTS, MAX_EVENT_BYTES, MAX_FUTURE_SKEW_MS, MAX_JSON_DEPTH } from '../audit-event';
import { submittedSize } from '../audit-event-canonical';
import { AUDIT_EVENT_SCHEMA } from './audit-event.schema';
import { jsonLimitViolations } from './json-limits';
import { parseRfc3339 } from './rfc3339';

export interface FieldError {
  path: string;
  message: string;
}

/** The submission is malformed: schema or semantic errors, with field paths. Nothing is written. */
export class AuditEventValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`${errors.length} validation error(s): ${errors.slice(0, 3).map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'AuditEventValidationError';
  }
}

/** The submission exceeds a size limit (event bytes or batch count). */
export class AuditEventTooLargeError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AuditEventTooLargeError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, coerceTypes: false, allowUnionTypes: true });
addFormats(ajv, ['uuid', 'ipv4', 'ipv6']);
// ajv-formats' date-time also takes a space for T, any fraction length and colon-less offsets.
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => 'instant' in parsedDateTime(text) });

let lastParsed: { text: string; result: ReturnType<typeof parseRfc3339> } | null = null;

/** parseRfc3339, remembering the last answer: the schema's format check and normalisation ask in turn. */
function parsedDateTime(text: string): ReturnType<typeof parseRfc3339> {
  if (lastParsed?.text !== text) lastParsed = { text, result: parseRfc3339(text) };
  return lastParsed.result;
}
const validateEvent: ValidateFunction = ajv.compile(AUDIT_EVENT_SCHEMA);

/**
 * Validates submitted events, all or nothing, with a compiled JSON schema (class-validator costs
 * ~80 µs per event, see ADR 001). Applies defaults and normalises occurredAt to UTC in place.
 */
export function validateAuditEvents(events: unknown, now: Date, pathPrefix = 'events'): AuditEventInput[] {
  if (!Array.isArray(events)) throw new AuditEventValidationError([{ path: pathPrefix, message: 'must be an array of events' }]);
  if (events.length === 0) throw new AuditEventValidationError([{ path: pathPrefix, message: 'must contain at least one event' }]);
  if (events.length > MAX_BATCH_EVENTS) {
    throw new AuditEventTooLargeError(`A batch holds at most ${MAX_BATCH_EVENTS} events; got ${events.length}`);
  }
  const errors: FieldError[] = [];
  const tooLarge: FieldError[] = [];
  const latest = now.getTime() + MAX_FUTURE_SKEW_MS;
  events.forEach((event, index) => {
    const at = pathPrefix ? `${pathPrefix}[${index}]` : '';
    // First, cheaply and without recursion: depth, lone surrogates, numbers that were rounded.
    // Nothing else looks at an event that fails here.
    const violations = jsonLimitViolations(event, MAX_JSON_DEPTH);
    if (violations.length > 0) {
      errors.push(...violations.map((v) => ({ path: join(at, v.path) || '(event)', message: v.message })));
      return;
    }
    if (!validateEvent(event)) {
      // An anyOf reports each failed branch too; its own error says it once.
      const found = (validateEvent.errors ?? []).filter((e) => !e.schemaPath.includes('/anyOf/')).map((e) => toFieldError(at, e, event));
      errors.push(...found.filter((e, i) => found.findIndex((o) => o.path === e.path && o.message === e.message) === i));
      return;
    }
    const input = event as AuditEventInput;
    const badIdentifiers = identifierErrors(input, at);
    if (badIdentifiers.length > 0) {
      errors.push(...badIdentifiers);
      return;
    }
    if (input.id !== undefined) input.id = input.id.toLowerCase();
    const parsed = parsedDateTime(input.occurredAt);
    if ('problem' in parsed) {
      errors.push({ path: join(at, 'occurredAt'), message: parsed.problem });
      return;
    }
    const occurredAt = parsed.instant;
    const sourceService = input.context?.sourceService;
    if (sourceService !== undefined && sourceService.trim().toLowerCase() === SERVICE_NAME) {
      errors.push({ path: join(at, 'context.sourceService'), message: `"${SERVICE_NAME}" is reserved for records the audit service writes about itself` });
      return;
    }
    if (occurredAt.getTime() > latest) {
      errors.push({ path: join(at, 'occurredAt'), message: 'is more than 5 minutes in the future' });
      return;
    }
    input.occurredAt = occurredAt.toISOString();
    // Measured on the canonical form, computed once here and reused for hashing and storage.
    const bytes = submittedSize(input);
    if (bytes > MAX_EVENT_BYTES) tooLarge.push({ path: at || '(event)', message: `is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}` });
  });
  if (tooLarge.length) throw new AuditEventTooLargeError(`An event may be at most ${MAX_EVENT_BYTES} bytes`, tooLarge);
  if (errors.length) throw new AuditEventValidationError(errors);
  return events as AuditEventInput[];
}

/** C0 and C1 control characters and DEL: they break CSV rows, log lines and SIEM parsers. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const BLANK = /^\s*$/u;

/** The text fields that identify someone or something (and are filtered, grouped and exported as such). */
function identifiersOf(input: AuditEventInput): Array<[string, string | undefined]> {
  return [
    ['actor.id', input.actor.id],
    ['actor.role', input.actor.role],
    ['actor.sessionId', input.actor.sessionId],
    ['actor.onBehalfOf', input.actor.onBehalfOf],
    ['resource.type', input.resource.type],
    ['resource.id', input.resource.id],
    ['context.requestId', input.context?.requestId],
    ['context.correlationId', input.context?.correlationId],
    ['context.workflowId', input.context?.workflowId],
    ['context.sourceService', input.context?.sourceService],
    ...(input.dataSubjects ?? []).map((subject, i): [string, string] => [`dataSubjects[${i}]`, subject]),
  ];
}

/** Identifiers must carry something visible and no control characters (free text such as resource.name may). */
function identifierErrors(input: AuditEventInput, at: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [path, value] of identifiersOf(input)) {
    if (value === undefined) continue;
    if (BLANK.test(value)) errors.push({ path: join(at, path), message: 'must not be blank (whitespace only)' });
    else if (CONTROL_CHARACTER.test(value)) errors.push({ path: join(at, path), message: 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)' });
  }
  return errors;
}

function toFieldError(at: string, error: ErrorObject, event: unknown): FieldError {
  const path = join(at, error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '['));
  if (error.instancePath === '/occurredAt' && (error.keyword === 'format' || error.keyword === 'pattern')) {
    const parsed = parsedDateTime(String((event as { occurredAt?: unknown }).occurredAt));
    return { path, message: 'problem' in parsed ? parsed.problem : 'is not a valid date-time' };
  }
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: join(path, String(error.params.additionalProperty)), message: 'is not an accepted field' };
    case 'required':
      return { path: join(path, String(error.params.missingProperty)), message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${(error.params.allowedValues as string[]).join(', ')}` };
    case 'anyOf':
      return { path, message: path.endsWith('.ip') || path === 'ip' ? 'must be an IPv4 or IPv6 address' : 'matches none of the allowed forms' };
    case 'pattern':
      return { path, message: error.instancePath === '/id' ? 'must be a UUID' : `must match ${String(error.params.pattern)}` };
    default:
      return { path: path || '(event)', message: error.message ?? 'is invalid' };
  }
}

function join(base: string, field: string): string {
  if (!field) return base;
  return base ? (field.startsWith('[') ? `${base}${field}` : `${base}.${field}`) : field;
}

import { HttpException } from '@nestjs/common';
import { AuditEventTooLargeError, AuditEventValidationError } from '../audit-log/record-audit-events/audit-event.validator';
import { AuditLogBackloggedError, AuditLogUnavailableError, IdempotencyConflictError, UnrecordableAuditEventError } from '../audit-log/audit-log.errors';
import { GrantAlreadyExistsError, GrantNotFoundError, InvalidGrantError } from '../cross-tenant-grants/grant.errors';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { InvalidQueryError } from '../read-store/read-store.errors';
import { BuiltInRoleNameError, InvalidRoleError, RoleAlreadyExistsError, RoleNotFoundError } from '../roles/role.errors';
import { monitoringProblemOf } from '../monitoring/monitoring-problems';
import { webhooksProblemOf } from '../webhooks/webhooks-problems';
import { reportsProblemOf } from '../reports/reports.errors';
import { ProblemDetails } from './problem-details.filter';
import { BodyTooDeepError, MAX_BODY_DEPTH, UnacceptableRequestBodyError } from './request-body-policy';

const BASE = 'https://problems.audit-trail.dev';

/** Typed domain errors → problem details. Handlers throw these; controllers stay thin. */
export function domainProblemOf(error: unknown): Omit<ProblemDetails, 'instance' | 'requestId'> | null {
  if (error instanceof AuditEventValidationError) {
    return { type: `${BASE}/validation-failed`, title: 'Validation Failed', status: 422, detail: 'The submission is invalid; nothing was recorded.', errors: error.errors };
  }
  if (error instanceof AuditEventTooLargeError) {
    return { type: `${BASE}/payload-too-large`, title: 'Payload Too Large', status: 413, detail: `${error.message}; nothing was recorded.`, ...(error.errors.length ? { errors: error.errors } : {}) };
  }
  if (error instanceof IdempotencyConflictError) {
    return {
      type: `${BASE}/idempotency-conflict`,
      title: 'Idempotency Conflict',
      status: 409,
      detail: `${error.message}; nothing of this submission was recorded.`,
      errors: [{ path: 'id', message: `${error.eventId} is already used by a different event` }],
    };
  }
  if (error instanceof UnrecordableAuditEventError) {
    return { type: `${BASE}/unrecordable-event`, title: 'Unprocessable Content', status: 422, detail: `${error.message}; nothing was recorded.`, errors: error.errors };
  }
  if (error instanceof AuditLogBackloggedError) {
    return { type: `${BASE}/ingestion-backlogged`, title: 'Too Many Requests', status: 429, detail: `${error.message}; retry after ${error.retryAfterSeconds} s.` };
  }
  if (error instanceof AuditLogUnavailableError) {
    return { type: `${BASE}/audit-log-unavailable`, title: 'Service Unavailable', status: 503, detail: error.message };
  }
  if (error instanceof InvalidRoleError || error instanceof InvalidGrantError) {
    return { type: `${BASE}/validation-failed`, title: 'Validation Failed', status: 422, detail: 'The request is well-formed but not acceptable; nothing was changed.', errors: error.errors };
  }
  if (error instanceof RoleNotFoundError || error instanceof GrantNotFoundError) {
    return { type: `${BASE}/not-found`, title: 'Not Found', status: 404, detail: error.message };
  }
  if (error instanceof RoleAlreadyExistsError) {
    return { type: `${BASE}/role-exists`, title: 'Conflict', status: 409, detail: error.message };
  }
  if (error instanceof BuiltInRoleNameError) {
    return { type: `${BASE}/built-in-role`, title: 'Conflict', status: 409, detail: error.message };
  }
  if (error instanceof GrantAlreadyExistsError) {
    return { type: `${BASE}/grant-exists`, title: 'Conflict', status: 409, detail: error.message };
  }
  const monitoring = monitoringProblemOf(error);
  if (monitoring) return monitoring;
  const webhooks = webhooksProblemOf(error);
  if (webhooks) return webhooks;
  const reports = reportsProblemOf(error);
  if (reports) return reports;
  if (error instanceof WrongExpectedRevisionError) {
    // Another request changed the same configuration between our read and our append.
    return { type: `${BASE}/concurrent-modification`, title: 'Conflict', status: 409, detail: 'The resource was changed concurrently by another request; nothing was changed. Retry.' };
  }
  if (error instanceof InvalidQueryError) {
    return { type: `${BASE}/invalid-query`, title: 'Bad Request', status: 400, detail: error.message };
  }
  if (error instanceof BodyTooDeepError) {
    return { type: `${BASE}/validation-failed`, title: 'Validation Failed', status: 422, detail: `${error.message}; nothing was recorded.`, errors: [{ path: error.path, message: `nests deeper than ${MAX_BODY_DEPTH} levels (the body itself is level 1)` }] };
  }
  // Errors raised by the body parser before any handler runs (malformed JSON, body too large).
  const parserError = error as { type?: unknown; status?: unknown; message?: unknown };
  if (error instanceof UnacceptableRequestBodyError || parserError.type === 'entity.verify.failed') {
    const status = typeof parserError.status === 'number' ? parserError.status : 400;
    return { type: `${BASE}/${status === 415 ? 'unsupported-media-type' : 'malformed-body'}`, title: status === 415 ? 'Unsupported Media Type' : 'Bad Request', status, detail: String(parserError.message) };
  }
  if (parserError.type === 'charset.unsupported' || parserError.type === 'encoding.unsupported') {
    // body-parser: a charset the JSON parser cannot decode, or a Content-Encoding it cannot inflate.
    const detail = parserError.type === 'charset.unsupported' ? `${String(parserError.message)}; JSON bodies must be utf-8` : `${String(parserError.message)}; send the body uncompressed or as gzip, deflate, br or zstd`;
    return { type: `${BASE}/unsupported-media-type`, title: 'Unsupported Media Type', status: 415, detail };
  }
  if (typeof parserError.type === 'string' && parserError.type.startsWith('entity.') && typeof parserError.status === 'number') {
    if (parserError.status === 413) {
      return { type: `${BASE}/payload-too-large`, title: 'Payload Too Large', status: 413, detail: 'The request body exceeds 5 MiB; nothing was recorded.' };
    }
    return { type: `${BASE}/malformed-body`, title: 'Bad Request', status: 400, detail: 'The request body is not valid JSON.' };
  }
  // Any other refusal of the body parser (http-errors: numeric 4xx status, `expose`), e.g. a body that
  // does not match its Content-Encoding (zlib: incorrect header check).
  const httpError = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true && !(error instanceof HttpException)) {
    return { type: `${BASE}/malformed-body`, title: 'Bad Request', status: httpError.status, detail: `The request body could not be read (${String(httpError.message)}); nothing was recorded.` };
  }
  return null;
}

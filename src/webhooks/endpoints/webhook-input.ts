import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuditLogFilterParams } from '../../audit-log/query/audit-log.filters';
import { RequestValidationError } from '../../http/request-validation.error';
import { urlProblems, UrlPolicy } from '../security/url-policy';
import { AuditFeedFilter, WEBHOOK_EVENT_TYPES, WebhookEventType } from './webhook-endpoint';
import { WebhookSettings } from './webhook.decider';
import { InvalidWebhookError } from './webhook.errors';

type Json = Record<string, unknown>;
type Errors = Array<{ path: string; message: string }>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const FIELDS = ['url', 'description', 'eventTypes', 'filter', 'enabled'] as const;
const FILTER_FIELDS = ['from', 'to', 'actorId', 'actorType', 'resourceType', 'resourceId', 'action', 'outcome', 'channel', 'excludeSelfAudit'] as const;
const MAX_DESCRIPTION = 1000;

/**
 * The endpoint's audit.events filter: exactly the list filters of GET /v1/audit-events, parsed and
 * validated by the same class (AuditLogFilterParams), so a filter means the same in both places.
 */
export function auditFeedFilterOf(value: unknown, path = 'filter'): { filter: AuditFeedFilter | null; errors: Errors } {
  if (value === null || value === undefined) return { filter: null, errors: [] };
  if (!isObject(value)) return { filter: null, errors: [{ path, message: 'must be an object of audit-event list filters' }] };
  const errors: Errors = [];
  for (const key of Object.keys(value)) if (!(FILTER_FIELDS as readonly string[]).includes(key)) errors.push({ path: `${path}.${key}`, message: `is not a filter (allowed: ${FILTER_FIELDS.join(', ')})` });
  const params = plainToInstance(AuditLogFilterParams, value);
  for (const error of validateSync(params)) {
    for (const message of Object.values(error.constraints ?? {})) errors.push({ path: `${path}.${error.property}`, message });
  }
  if (errors.length) return { filter: null, errors };
  const filter: AuditFeedFilter = {};
  for (const key of FILTER_FIELDS) {
    const v = (params as unknown as Json)[key];
    if (v !== undefined) (filter as Json)[key] = v;
  }
  if (filter.from && filter.to && filter.from >= filter.to) return { filter: null, errors: [{ path: `${path}.to`, message: 'must be after from' }] };
  return { filter: Object.keys(filter).length ? filter : null, errors: [] };
}

function settingsErrors(body: Json, partial: boolean, policy: UrlPolicy): { settings: Partial<WebhookSettings>; errors: Errors; targetErrors: Errors } {
  const errors: Errors = [];
  const settings: Partial<WebhookSettings> = {};
  for (const key of Object.keys(body)) if (!(FIELDS as readonly string[]).includes(key)) errors.push({ path: key, message: 'is not a webhook field' });
  let targetErrors: Errors = [];
  if (body.url !== undefined || !partial) {
    const problems = urlProblems(body.url, { httpsOnly: false, blockPrivateNetworks: false });
    if (problems.length) errors.push(...problems);
    else {
      targetErrors = urlProblems(body.url, policy);
      settings.url = body.url as string;
    }
  }
  if (body.description !== undefined) {
    if (body.description !== null && (typeof body.description !== 'string' || body.description.length > MAX_DESCRIPTION)) errors.push({ path: 'description', message: `must be a string of at most ${MAX_DESCRIPTION} characters, or null` });
    else settings.description = (body.description as string | null) || null;
  } else if (!partial) settings.description = null;
  if (body.eventTypes !== undefined || !partial) {
    const types = body.eventTypes;
    if (!Array.isArray(types) || types.length === 0) errors.push({ path: 'eventTypes', message: `must be a non-empty list of ${WEBHOOK_EVENT_TYPES.join(', ')}` });
    else {
      types.forEach((t, i) => {
        if (!(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(t)) errors.push({ path: `eventTypes[${i}]`, message: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` });
      });
      settings.eventTypes = WEBHOOK_EVENT_TYPES.filter((t) => types.includes(t)) as WebhookEventType[];
    }
  }
  if (body.filter !== undefined) {
    const parsed = auditFeedFilterOf(body.filter);
    errors.push(...parsed.errors);
    settings.filter = parsed.filter;
  } else if (!partial) settings.filter = null;
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') errors.push({ path: 'enabled', message: 'must be true or false' });
    else settings.enabled = body.enabled;
  } else if (!partial) settings.enabled = true;
  return { settings, errors, targetErrors };
}

/** POST /v1/webhooks: malformed → 400 (RequestValidationError); a URL target the policy forbids → 422. */
export function newWebhookOf(body: unknown, policy: UrlPolicy): WebhookSettings {
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  const { settings, errors, targetErrors } = settingsErrors(body, false, policy);
  if (errors.length) throw new RequestValidationError(errors);
  if (targetErrors.length) throw new InvalidWebhookError(targetErrors);
  return settings as WebhookSettings;
}

/** PUT /v1/webhooks/{id}: the fields given replace the current ones. */
export function webhookChangesOf(body: unknown, policy: UrlPolicy): Partial<WebhookSettings> {
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  const { settings, errors, targetErrors } = settingsErrors(body, true, policy);
  if (errors.length) throw new RequestValidationError(errors);
  if (targetErrors.length) throw new InvalidWebhookError(targetErrors);
  return settings;
}

/** POST /v1/webhooks/{id}/replay: `{from, to}` (occurredAt, to exclusive). */
export function replayRangeOf(body: unknown): { from: string; to: string } {
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  const errors: Errors = [];
  for (const key of Object.keys(body)) if (key !== 'from' && key !== 'to') errors.push({ path: key, message: 'is not a replay field (from, to)' });
  for (const key of ['from', 'to'] as const) if (body[key] === undefined) errors.push({ path: key, message: 'is required (ISO-8601 date-time with offset)' });
  const parsed = auditFeedFilterOf({ from: body.from, to: body.to }, '');
  errors.push(...parsed.errors.map((e) => ({ ...e, path: e.path.replace(/^\./, '') })));
  if (errors.length) throw new RequestValidationError(errors);
  return { from: parsed.filter!.from!, to: parsed.filter!.to! };
}

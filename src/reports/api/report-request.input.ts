import { parseRfc3339 } from '../../audit-log/record-audit-events/rfc3339';
import { isValidTimezone } from '../../monitoring/evaluation/business-hours';
import { ReportDelivery, ReportFormat } from '../report-requests.port';
import { ReportInputError } from '../templates/report-template';

/** Longest period a report may cover: 10 years and a few leap days. */
export const MAX_REPORT_PERIOD_DAYS = 3660;
const DAY_MS = 86_400_000;
const EMAIL = /^[^\s@,;<>"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

export interface ReportRequestInput {
  templateId: string;
  templateVersion?: number;
  from: string;
  to: string;
  timezone?: string;
  format: ReportFormat;
  parameters: Record<string, unknown>;
  delivery?: ReportDelivery;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates the body of POST /v1/reports; every problem with its path; writes nothing. */
export function reportRequestOf(body: unknown): ReportRequestInput {
  const errors: Array<{ path: string; message: string }> = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  if (!isObject(body)) throw new ReportInputError('Invalid report request', [{ path: '', message: 'must be a JSON object' }]);
  for (const key of Object.keys(body)) if (!['templateId', 'templateVersion', 'from', 'to', 'timezone', 'format', 'parameters', 'delivery'].includes(key)) fail(key, 'unknown field');
  if (typeof body.templateId !== 'string' || !/^[a-z0-9-]{1,64}$/.test(body.templateId)) fail('templateId', 'required: a template id (GET /v1/report-templates)');
  if (body.templateVersion !== undefined && !(Number.isSafeInteger(body.templateVersion) && (body.templateVersion as number) >= 1)) fail('templateVersion', 'a version number ≥ 1 (default: the latest)');
  const instant = (name: 'from' | 'to'): string | null => {
    const value = body[name];
    if (typeof value !== 'string') return fail(name, 'required: an RFC 3339 date-time with offset'), null;
    const parsed = parseRfc3339(value);
    if ('problem' in parsed) return fail(name, parsed.problem), null;
    return parsed.instant.toISOString();
  };
  const from = instant('from');
  const to = instant('to');
  if (from && to && from >= to) fail('to', 'must be after from (the period is from ≤ occurredAt < to)');
  if (from && to && Date.parse(to) - Date.parse(from) > MAX_REPORT_PERIOD_DAYS * DAY_MS) fail('to', `the period may span at most ${MAX_REPORT_PERIOD_DAYS} days`);
  if (body.timezone !== undefined && (typeof body.timezone !== 'string' || !isValidTimezone(body.timezone))) fail('timezone', 'must be an IANA timezone, e.g. Europe/Berlin');
  if (body.format !== 'pdf' && body.format !== 'csv') fail('format', 'required: pdf or csv');
  if (body.parameters !== undefined && !isObject(body.parameters)) fail('parameters', 'must be an object');
  let delivery: ReportDelivery | undefined;
  if (body.delivery !== undefined) {
    const d = body.delivery;
    if (!isObject(d)) fail('delivery', 'must be an object {notify, webhookIds?, emails?}');
    else {
      for (const key of Object.keys(d)) if (!['notify', 'webhookIds', 'emails'].includes(key)) fail(`delivery.${key}`, 'unknown field');
      if (d.notify !== undefined && typeof d.notify !== 'boolean') fail('delivery.notify', 'must be true or false');
      if (d.webhookIds !== undefined && (!Array.isArray(d.webhookIds) || d.webhookIds.length > 20 || !d.webhookIds.every((id) => typeof id === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(id)))) fail('delivery.webhookIds', 'at most 20 webhook ids');
      if (d.emails !== undefined && (!Array.isArray(d.emails) || d.emails.length > 20 || !d.emails.every((e) => typeof e === 'string' && EMAIL.test(e)))) fail('delivery.emails', 'at most 20 e-mail addresses');
      delivery = { notify: d.notify === true, ...(d.webhookIds ? { webhookIds: d.webhookIds as string[] } : {}), ...(d.emails ? { emails: d.emails as string[] } : {}) };
    }
  }
  if (errors.length > 0) throw new ReportInputError('Invalid report request', errors);
  return {
    templateId: body.templateId as string,
    ...(body.templateVersion !== undefined ? { templateVersion: body.templateVersion as number } : {}),
    from: from!,
    to: to!,
    ...(typeof body.timezone === 'string' ? { timezone: body.timezone } : {}),
    format: body.format as ReportFormat,
    parameters: (body.parameters as Record<string, unknown> | undefined) ?? {},
    ...(delivery ? { delivery } : {}),
  };
}

import { RequestValidationError } from '../http/request-validation.error';
import { Severity, SEVERITIES } from '../monitoring/rules/monitoring-rule';

/** `GET/PUT /v1/alert-recipients` (ARCHITECTURE §8): who is notified of the tenant's alerts. */
export interface AlertRecipientsValues {
  /** Token `sub`s of users notified by name. */
  userIds: string[];
  /** Every user whose token carries one of these roles is notified. */
  roles: string[];
  /** Alerts below this severity notify nobody (rules with their own recipients are not filtered). */
  minSeverity: Severity;
}

export interface AlertRecipients extends AlertRecipientsValues {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_ALERT_RECIPIENTS: AlertRecipients = Object.freeze({
  userIds: Object.freeze([]) as unknown as string[],
  roles: Object.freeze(['compliance_officer', 'super_admin']) as unknown as string[],
  minSeverity: 'low' as Severity,
  version: 0,
  updatedAt: null,
  updatedBy: null,
});

const MAX_ENTRIES = 100;
/** Like the token claims they are compared with: `sub` 1-256, role 1-128, no control characters. */
const NO_CONTROL = /^[^\p{Cc}]+$/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function names(value: unknown, path: string, maxLength: number, errors: Array<{ path: string; message: string }>): string[] {
  if (!Array.isArray(value) || value.length > MAX_ENTRIES) {
    errors.push({ path, message: `is required: an array of at most ${MAX_ENTRIES} strings (may be empty)` });
    return [];
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || item.length > maxLength || !NO_CONTROL.test(item) || LONE_SURROGATE.test(item)) {
      errors.push({ path: `${path}[${i}]`, message: `must be a string of 1-${maxLength} characters without control characters` });
    }
  });
  return [...new Set(value as string[])].sort();
}

/** Validates a PUT body: exactly `{userIds, roles, minSeverity}`; anything else is a 400 naming the field. */
export function alertRecipientsOf(body: unknown): AlertRecipientsValues {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestValidationError([{ path: '', message: 'must be a JSON object {"userIds": [...], "roles": [...], "minSeverity": "low"}' }]);
  }
  const errors: Array<{ path: string; message: string }> = [];
  for (const key of Object.keys(body)) if (!['userIds', 'roles', 'minSeverity'].includes(key)) errors.push({ path: key, message: 'is not a known field' });
  const input = body as Record<string, unknown>;
  const userIds = names(input.userIds, 'userIds', 256, errors);
  const roles = names(input.roles, 'roles', 128, errors);
  if (!SEVERITIES.includes(input.minSeverity as Severity)) errors.push({ path: 'minSeverity', message: `is required: one of ${SEVERITIES.join(', ')}` });
  if (errors.length) throw new RequestValidationError(errors);
  return { userIds, roles, minSeverity: input.minSeverity as Severity };
}

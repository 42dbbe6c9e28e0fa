import { RequestValidationError } from '../../http/request-validation.error';
import { isValidTimezone, TIME_OF_DAY_PATTERN } from '../evaluation/business-hours';
import { GROUP_BY_FIELDS, GroupByField, RULE_ID_PATTERN, RULE_ID_RULE, RuleCondition, RuleDefinition, RuleMatch, RuleRecipients, Severity, SEVERITIES } from './monitoring-rule';
import { AUDIT_ACTOR_TYPES, CHANNELS, OUTCOMES, SENSITIVITIES } from '../../audit-log/audit-event';

type Errors = Array<{ path: string; message: string }>;
type Json = Record<string, unknown>;

const ACTION_PATTERN = /^(\*\.)?[A-Za-z0-9_.:-]{1,128}(\.\*)?$/;
const MAX_LIST = 100;
const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
const MAX_SUPPRESSION_SECONDS = 30 * 24 * 3600;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownFields(value: Json, allowed: readonly string[], path: string, errors: Errors): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) errors.push({ path: path ? `${path}.${key}` : key, message: 'is not a known field' });
}

function stringList(value: unknown, path: string, errors: Errors, check?: { allowed?: readonly string[]; pattern?: RegExp }): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
    errors.push({ path, message: `must be a non-empty array of at most ${MAX_LIST} strings` });
    return undefined;
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0 || item.length > 128) errors.push({ path: `${path}[${i}]`, message: 'must be a string of 1-128 characters' });
    else if (check?.allowed && !check.allowed.includes(item)) errors.push({ path: `${path}[${i}]`, message: `must be one of ${check.allowed.join(', ')}` });
    else if (check?.pattern && !check.pattern.test(item)) errors.push({ path: `${path}[${i}]`, message: 'must be an action, "prefix.*" or "*.suffix"' });
  });
  return [...new Set(value as string[])];
}

function integer(value: unknown, path: string, min: number, max: number, errors: Errors): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) errors.push({ path, message: `must be an integer from ${min} to ${max}` });
  return value as number;
}

function text(value: unknown, path: string, max: number, errors: Errors): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) errors.push({ path, message: `must be a non-empty string of at most ${max} characters` });
  return value as string;
}

function matchOf(value: unknown, errors: Errors): RuleMatch {
  if (!isObject(value)) {
    errors.push({ path: 'match', message: 'must be an object' });
    return {};
  }
  unknownFields(value, ['actions', 'outcomes', 'resourceTypes', 'sensitivities', 'actorTypes', 'channels'], 'match', errors);
  const match: RuleMatch = {
    actions: stringList(value.actions, 'match.actions', errors, { pattern: ACTION_PATTERN }),
    outcomes: stringList(value.outcomes, 'match.outcomes', errors, { allowed: OUTCOMES }),
    resourceTypes: stringList(value.resourceTypes, 'match.resourceTypes', errors),
    sensitivities: stringList(value.sensitivities, 'match.sensitivities', errors, { allowed: SENSITIVITIES }),
    actorTypes: stringList(value.actorTypes, 'match.actorTypes', errors, { allowed: AUDIT_ACTOR_TYPES }),
    channels: stringList(value.channels, 'match.channels', errors, { allowed: CHANNELS }),
  };
  for (const key of Object.keys(match) as Array<keyof RuleMatch>) if (match[key] === undefined) delete match[key];
  return match;
}

function groupByOf(value: unknown, path: string, errors: Errors): GroupByField[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.length === 0) return [];
  return stringList(value, path, errors, { allowed: GROUP_BY_FIELDS }) as GroupByField[] | undefined;
}

function conditionOf(value: unknown, errors: Errors): RuleCondition {
  if (!isObject(value) || !['match', 'threshold', 'outside_hours'].includes(value.type as string)) {
    errors.push({ path: 'condition.type', message: 'must be match, threshold or outside_hours' });
    return { type: 'match' };
  }
  switch (value.type) {
    case 'match': {
      unknownFields(value, ['type', 'groupBy'], 'condition', errors);
      const groupBy = groupByOf(value.groupBy, 'condition.groupBy', errors);
      return groupBy ? { type: 'match', groupBy } : { type: 'match' };
    }
    case 'threshold': {
      unknownFields(value, ['type', 'threshold', 'windowSeconds', 'groupBy', 'count'], 'condition', errors);
      if (value.count !== undefined && value.count !== 'events' && value.count !== 'records') errors.push({ path: 'condition.count', message: 'must be events or records' });
      return {
        type: 'threshold',
        threshold: integer(value.threshold, 'condition.threshold', 1, 1_000_000, errors),
        windowSeconds: integer(value.windowSeconds, 'condition.windowSeconds', 1, MAX_WINDOW_SECONDS, errors),
        groupBy: groupByOf(value.groupBy ?? [], 'condition.groupBy', errors) ?? [],
        count: (value.count as 'events' | 'records' | undefined) ?? 'events',
      };
    }
    default: {
      unknownFields(value, ['type', 'timezone', 'businessDays', 'startTime', 'endTime', 'groupBy'], 'condition', errors);
      // Absent: the tenant's timezone (/v1/tenant-settings), resolved when the rule is evaluated.
      const timezone = value.timezone;
      if (timezone !== undefined && (typeof timezone !== 'string' || !isValidTimezone(timezone))) errors.push({ path: 'condition.timezone', message: 'must be an IANA timezone, e.g. Europe/Berlin' });
      const days = value.businessDays ?? [1, 2, 3, 4, 5];
      if (!Array.isArray(days) || days.length > 7 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) errors.push({ path: 'condition.businessDays', message: 'must be ISO weekdays 1 (Monday) to 7 (Sunday)' });
      const startTime = value.startTime ?? '08:00';
      const endTime = value.endTime ?? '18:00';
      for (const [field, time] of [['startTime', startTime], ['endTime', endTime]] as const) {
        if (typeof time !== 'string' || !TIME_OF_DAY_PATTERN.test(time)) errors.push({ path: `condition.${field}`, message: 'must be HH:MM (00:00-23:59)' });
      }
      if (typeof startTime === 'string' && typeof endTime === 'string' && startTime >= endTime) errors.push({ path: 'condition.endTime', message: 'must be after startTime' });
      const groupBy = groupByOf(value.groupBy, 'condition.groupBy', errors);
      return { type: 'outside_hours', ...(timezone !== undefined ? { timezone: timezone as string } : {}), businessDays: [...new Set(days as number[])].sort(), startTime: startTime as string, endTime: endTime as string, ...(groupBy ? { groupBy } : {}) };
    }
  }
}

function recipientsOf(value: unknown, errors: Errors): RuleRecipients | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    errors.push({ path: 'recipients', message: 'must be an object' });
    return undefined;
  }
  unknownFields(value, ['userIds', 'roles'], 'recipients', errors);
  const recipients: RuleRecipients = {};
  if (value.userIds !== undefined) recipients.userIds = Array.isArray(value.userIds) && value.userIds.length === 0 ? [] : stringList(value.userIds, 'recipients.userIds', errors);
  if (value.roles !== undefined) recipients.roles = Array.isArray(value.roles) && value.roles.length === 0 ? [] : stringList(value.roles, 'recipients.roles', errors);
  return recipients;
}

const DEFINITION_FIELDS = ['name', 'description', 'severity', 'match', 'condition', 'suppressionSeconds', 'recipients'] as const;

/** The fields of `body` that an edit changes; each is validated, absent ones keep their value. */
export function ruleChangesOf(body: unknown): Partial<RuleDefinition> {
  const errors: Errors = [];
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  unknownFields(body, DEFINITION_FIELDS, '', errors);
  const changes: Partial<RuleDefinition> = {};
  if (body.name !== undefined) changes.name = text(body.name, 'name', 200, errors);
  if (body.description !== undefined) changes.description = typeof body.description === 'string' && body.description.length <= 2000 ? body.description : (errors.push({ path: 'description', message: 'must be a string of at most 2000 characters' }), '');
  if (body.severity !== undefined) {
    if (!SEVERITIES.includes(body.severity as Severity)) errors.push({ path: 'severity', message: `must be one of ${SEVERITIES.join(', ')}` });
    changes.severity = body.severity as Severity;
  }
  if (body.match !== undefined) changes.match = matchOf(body.match, errors);
  if (body.condition !== undefined) changes.condition = conditionOf(body.condition, errors);
  if (body.suppressionSeconds !== undefined) changes.suppressionSeconds = integer(body.suppressionSeconds, 'suppressionSeconds', 0, MAX_SUPPRESSION_SECONDS, errors);
  if (body.recipients !== undefined) changes.recipients = recipientsOf(body.recipients, errors);
  if (errors.length) throw new RequestValidationError(errors);
  return changes;
}

/** A new custom rule: `id`, `name`, `severity`, `match`, `condition` required; `enabled` defaults to true. */
export function newRuleOf(body: unknown): { id: string; enabled: boolean; definition: RuleDefinition } {
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  const { id, enabled, ...rest } = body;
  const errors: Errors = [];
  if (typeof id !== 'string' || !RULE_ID_PATTERN.test(id)) errors.push({ path: 'id', message: `must be ${RULE_ID_RULE}` });
  if (enabled !== undefined && typeof enabled !== 'boolean') errors.push({ path: 'enabled', message: 'must be a boolean' });
  for (const field of ['name', 'severity', 'match', 'condition'] as const) if (rest[field] === undefined) errors.push({ path: field, message: 'is required' });
  let changes: Partial<RuleDefinition> = {};
  try {
    changes = ruleChangesOf(rest);
  } catch (error) {
    if (!(error instanceof RequestValidationError)) throw error;
    errors.push(...error.errors);
  }
  if (errors.length) throw new RequestValidationError(errors);
  return {
    id: id as string,
    enabled: (enabled as boolean | undefined) ?? true,
    definition: { description: '', suppressionSeconds: 0, ...changes } as RuleDefinition,
  };
}

/** POST /v1/monitoring-rules/backtest: `{ruleId}` or `{rule}` (a draft, `id` optional), and the period `{from, to}` (occurredAt, to exclusive). */
export function backtestRequestOf(body: unknown): { ruleId?: string; draft?: { id: string; enabled: boolean; definition: RuleDefinition }; from: string; to: string } {
  if (!isObject(body)) throw new RequestValidationError([{ path: '', message: 'must be a JSON object' }]);
  const errors: Errors = [];
  unknownFields(body, ['ruleId', 'rule', 'from', 'to'], '', errors);
  if ((body.ruleId === undefined) === (body.rule === undefined)) errors.push({ path: 'ruleId', message: 'give exactly one of ruleId and rule' });
  if (body.ruleId !== undefined && (typeof body.ruleId !== 'string' || !RULE_ID_PATTERN.test(body.ruleId))) errors.push({ path: 'ruleId', message: `must be ${RULE_ID_RULE}` });
  const instant = (field: 'from' | 'to') => {
    const value = body[field];
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
      errors.push({ path: field, message: 'must be an RFC 3339 date-time' });
      return '';
    }
    return new Date(value).toISOString();
  };
  const from = instant('from');
  const to = instant('to');
  if (from && to && from >= to) errors.push({ path: 'to', message: 'must be after from' });
  let draft: { id: string; enabled: boolean; definition: RuleDefinition } | undefined;
  if (body.rule !== undefined) {
    try {
      const rule = isObject(body.rule) ? { id: 'draft', ...body.rule } : body.rule;
      draft = newRuleOf(rule);
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      errors.push(...error.errors.map((e) => ({ path: `rule${e.path ? `.${e.path}` : ''}`, message: e.message })));
    }
  }
  if (errors.length) throw new RequestValidationError(errors);
  return { ...(body.ruleId !== undefined ? { ruleId: body.ruleId as string } : {}), ...(draft ? { draft } : {}), from, to };
}

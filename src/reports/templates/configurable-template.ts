import { AUDIT_ACTOR_TYPES, CHANNELS, OUTCOMES, SENSITIVITIES, SERVICE_NAME, StoredAuditEvent } from '../../audit-log/audit-event';
import { eventInScope } from '../../monitoring/evaluation/rule-scope';
import { RuleMatch } from '../../monitoring/rules/monitoring-rule';
import { cellText, fullSection, ReportInputError, ReportTemplate, SectionRows, TemplateCalculator } from './report-template';

/**
 * Configurable (industry or tenant) templates, ARCHITECTURE §10: sections select events with the
 * monitoring rules' `match` shape plus the audit-log list filters; the population is the union of the
 * sections; summary figures count or count distinct values of a section's events.
 */
export const TEMPLATE_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

export interface TemplateMatch extends RuleMatch {
  actorIds?: string[];
  actorRoles?: string[];
  resourceIds?: string[];
  /** Leave out the records this service writes about itself. */
  excludeSelfAudit?: boolean;
}

export interface TemplateSectionDefinition {
  title: string;
  description?: string;
  match: TemplateMatch;
  /** Event fields shown as columns (one row per event), or with `groupBy` per group. */
  columns: string[];
  groupBy?: string;
}

export interface TemplateSummaryDefinition {
  name: string;
  label?: string;
  /** Title of one of the template's sections. */
  section: string;
  aggregate: 'count' | 'distinct';
  /** Required for `distinct`. */
  field?: string;
}

export interface TemplateDefinition {
  id: string;
  name: string;
  framework: string;
  description: string;
  sections: TemplateSectionDefinition[];
  summary: TemplateSummaryDefinition[];
}

const FIXED_FIELDS: Record<string, (e: StoredAuditEvent) => unknown> = {
  occurredAt: (e) => e.occurredAt,
  sequence: (e) => e.sequence,
  id: (e) => e.id,
  'actor.id': (e) => e.actor.id,
  'actor.type': (e) => e.actor.type,
  'actor.role': (e) => e.actor.role,
  'actor.ip': (e) => e.actor.ip,
  'actor.onBehalfOf': (e) => e.actor.onBehalfOf,
  action: (e) => e.action,
  outcome: (e) => e.outcome,
  'resource.type': (e) => e.resource.type,
  'resource.id': (e) => e.resource.id,
  'resource.name': (e) => e.resource.name,
  'resource.sensitivity': (e) => e.resource.sensitivity,
  channel: (e) => e.channel,
  'context.sourceService': (e) => e.context?.sourceService,
  'context.workflowId': (e) => e.context?.workflowId,
  dataSubjects: (e) => e.dataSubjects?.join(', '),
  'changes.before': (e) => e.changes?.before,
  'changes.after': (e) => e.changes?.after,
};
const METADATA_FIELD = /^metadata\.[A-Za-z0-9_]{1,64}$/;
export const TEMPLATE_FIELDS = Object.keys(FIXED_FIELDS);

function isField(field: unknown): field is string {
  return typeof field === 'string' && (field in FIXED_FIELDS || METADATA_FIELD.test(field));
}

function valueOf(event: StoredAuditEvent, field: string): unknown {
  return FIXED_FIELDS[field]?.(event) ?? (field.startsWith('metadata.') ? event.metadata?.[field.slice('metadata.'.length)] : undefined);
}

function matches(match: TemplateMatch, event: StoredAuditEvent): boolean {
  return (
    eventInScope(match, event) &&
    (match.actorIds === undefined || match.actorIds.includes(event.actor.id)) &&
    (match.actorRoles === undefined || (event.actor.role !== undefined && match.actorRoles.includes(event.actor.role))) &&
    (match.resourceIds === undefined || match.resourceIds.includes(event.resource.id)) &&
    !(match.excludeSelfAudit === true && event.context?.sourceService === SERVICE_NAME)
  );
}

const MATCH_LISTS: Record<keyof Omit<TemplateMatch, 'excludeSelfAudit'>, readonly string[] | null> = {
  actions: null,
  outcomes: OUTCOMES,
  resourceTypes: null,
  sensitivities: SENSITIVITIES,
  actorTypes: AUDIT_ACTOR_TYPES,
  channels: CHANNELS,
  actorIds: null,
  actorRoles: null,
  resourceIds: null,
};

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.trim().length > 0 && value.length <= max;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates a template definition from the API; every problem is reported with its path. Writes nothing. */
export function templateDefinitionOf(body: unknown, id: string): TemplateDefinition {
  const errors: Array<{ path: string; message: string }> = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  if (!isObject(body)) throw new ReportInputError('A template is a JSON object', [{ path: '', message: 'must be an object' }]);
  const known = ['id', 'name', 'framework', 'description', 'sections', 'summary'];
  for (const key of Object.keys(body)) if (!known.includes(key)) fail(key, 'unknown field');
  if (!TEMPLATE_ID_PATTERN.test(id)) fail('id', 'must be 1-64 of a-z 0-9 -');
  if (!isText(body.name, 200)) fail('name', 'required, 1-200 characters');
  if (!isText(body.framework, 64)) fail('framework', 'required, 1-64 characters (e.g. HIPAA, PCI DSS)');
  if (typeof body.description !== 'string' || body.description.length > 2000) fail('description', 'required, at most 2000 characters');
  const sections: TemplateSectionDefinition[] = [];
  if (!Array.isArray(body.sections) || body.sections.length === 0 || body.sections.length > 20) fail('sections', 'required: 1-20 sections');
  else
    body.sections.forEach((raw: unknown, i: number) => {
      const at = `sections[${i}]`;
      if (!isObject(raw)) return fail(at, 'must be an object');
      for (const key of Object.keys(raw)) if (!['title', 'description', 'match', 'columns', 'groupBy'].includes(key)) fail(`${at}.${key}`, 'unknown field');
      if (!isText(raw.title, 200)) fail(`${at}.title`, 'required, 1-200 characters');
      else if (sections.some((s) => s.title === raw.title)) fail(`${at}.title`, 'section titles must be unique (summary figures name them)');
      if (raw.description !== undefined && (typeof raw.description !== 'string' || raw.description.length > 2000)) fail(`${at}.description`, 'at most 2000 characters');
      const match: TemplateMatch = {};
      if (!isObject(raw.match)) fail(`${at}.match`, 'required object');
      else
        for (const [key, value] of Object.entries(raw.match)) {
          if (key === 'excludeSelfAudit') {
            if (typeof value !== 'boolean') fail(`${at}.match.excludeSelfAudit`, 'must be true or false');
            else match.excludeSelfAudit = value;
            continue;
          }
          if (!(key in MATCH_LISTS)) {
            fail(`${at}.match.${key}`, `unknown condition (use ${[...Object.keys(MATCH_LISTS), 'excludeSelfAudit'].join(', ')})`);
            continue;
          }
          const allowed = MATCH_LISTS[key as keyof typeof MATCH_LISTS];
          if (!Array.isArray(value) || value.length === 0 || value.length > 100 || !value.every((v) => isText(v, 128) && (!allowed || allowed.includes(v)))) {
            fail(`${at}.match.${key}`, `must be a non-empty array of at most 100 strings${allowed ? ` among ${allowed.join(', ')}` : ''}`);
          } else match[key as keyof Omit<TemplateMatch, 'excludeSelfAudit'>] = value as string[];
        }
      if (!Array.isArray(raw.columns) || raw.columns.length === 0 || raw.columns.length > 12) fail(`${at}.columns`, 'required: 1-12 event fields');
      else raw.columns.forEach((c: unknown, j: number) => isField(c) || fail(`${at}.columns[${j}]`, `not an event field (use ${TEMPLATE_FIELDS.join(', ')} or metadata.<key>)`));
      if (raw.groupBy !== undefined && !isField(raw.groupBy)) fail(`${at}.groupBy`, 'not an event field');
      sections.push({ title: String(raw.title), ...(typeof raw.description === 'string' ? { description: raw.description } : {}), match, columns: Array.isArray(raw.columns) ? (raw.columns as string[]) : [], ...(raw.groupBy !== undefined ? { groupBy: raw.groupBy as string } : {}) });
    });
  const summary: TemplateSummaryDefinition[] = [];
  if (!Array.isArray(body.summary) || body.summary.length > 20) fail('summary', 'required: 0-20 figures');
  else
    body.summary.forEach((raw: unknown, i: number) => {
      const at = `summary[${i}]`;
      if (!isObject(raw)) return fail(at, 'must be an object');
      for (const key of Object.keys(raw)) if (!['name', 'label', 'section', 'aggregate', 'field'].includes(key)) fail(`${at}.${key}`, 'unknown field');
      if (typeof raw.name !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(raw.name)) fail(`${at}.name`, 'required: a camelCase name (letters and digits)');
      else if (summary.some((s) => s.name === raw.name)) fail(`${at}.name`, 'figure names must be unique');
      if (raw.label !== undefined && !isText(raw.label, 200)) fail(`${at}.label`, '1-200 characters');
      if (typeof raw.section !== 'string' || !sections.some((s) => s.title === raw.section)) fail(`${at}.section`, 'must be the title of one of the sections');
      if (raw.aggregate !== 'count' && raw.aggregate !== 'distinct') fail(`${at}.aggregate`, 'must be count or distinct');
      if (raw.aggregate === 'distinct' && !isField(raw.field)) fail(`${at}.field`, 'distinct needs an event field');
      if (raw.aggregate === 'count' && raw.field !== undefined) fail(`${at}.field`, 'count takes no field');
      summary.push({ name: String(raw.name), ...(typeof raw.label === 'string' ? { label: raw.label } : {}), section: String(raw.section), aggregate: raw.aggregate as 'count' | 'distinct', ...(typeof raw.field === 'string' ? { field: raw.field } : {}) });
    });
  if (errors.length > 0) throw new ReportInputError('Invalid report template', errors);
  return { id, name: (body.name as string).trim(), framework: (body.framework as string).trim(), description: body.description as string, sections, summary };
}

const label = (field: string) => field;

function configurableCalculator(definition: TemplateDefinition, parameters: Record<string, unknown>): TemplateCalculator {
  const unknown = Object.keys(parameters);
  if (unknown.length > 0) throw new ReportInputError('Invalid report parameters', unknown.map((name) => ({ path: `parameters.${name}`, message: 'configurable templates take no parameters' })));
  const sections = definition.sections.map((section) => ({
    section,
    count: 0,
    rows: new SectionRows(),
    groups: new Map<string, { key: string; count: number; first: string; last: string }>(),
    distinct: new Map<string, Set<string>>(),
  }));
  const distinctFields = new Map<string, string[]>();
  for (const figure of definition.summary) {
    if (figure.aggregate === 'distinct') distinctFields.set(figure.section, [...(distinctFields.get(figure.section) ?? []), figure.field!]);
  }
  return {
    add(event) {
      let inPopulation = false;
      for (const state of sections) {
        if (!matches(state.section.match, event)) continue;
        inPopulation = true;
        state.count += 1;
        for (const field of distinctFields.get(state.section.title) ?? []) {
          const value = valueOf(event, field);
          if (value === undefined || value === null || value === '') continue;
          let set = state.distinct.get(field);
          if (!set) state.distinct.set(field, (set = new Set()));
          set.add(cellText(value));
        }
        if (state.section.groupBy) {
          const key = cellText(valueOf(event, state.section.groupBy));
          let group = state.groups.get(key);
          if (!group) state.groups.set(key, (group = { key, count: 0, first: event.occurredAt, last: event.occurredAt }));
          group.count += 1;
          group.last = event.occurredAt;
        } else {
          state.rows.push(Object.fromEntries(state.section.columns.map((field) => [field, cellText(valueOf(event, field))])));
        }
      }
      return inPopulation;
    },
    finish() {
      return {
        summary: definition.summary.map((figure) => {
          const state = sections.find((s) => s.section.title === figure.section)!;
          const value = figure.aggregate === 'count' ? state.count : (state.distinct.get(figure.field!)?.size ?? 0);
          return { name: figure.name, label: figure.label ?? figure.name, value };
        }),
        sections: sections.map(({ section, rows, groups }) =>
          section.groupBy
            ? fullSection(
                section.title,
                [['group', label(section.groupBy)], ['events', 'Events'], ['first', 'First'], ['last', 'Last']],
                [...groups.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).map((g) => ({ group: g.key, events: String(g.count), first: g.first, last: g.last })),
                section.description,
              )
            : rows.section(section.title, section.columns.map((field) => [field, label(field)]), section.description),
        ),
      };
    },
  };
}

/** A configurable template at one version, usable like a built-in one. */
export function configurableTemplate(definition: TemplateDefinition, version: number, builtIn: boolean): ReportTemplate {
  return {
    id: definition.id,
    version,
    name: definition.name,
    framework: definition.framework,
    description: definition.description,
    builtIn,
    parameters: {},
    calculator: (_period, parameters) => configurableCalculator(definition, parameters),
  };
}

import { StoredAuditEvent } from '../../audit-log/audit-event';
import { withinBusinessHours } from '../../monitoring/evaluation/business-hours';
import { PDF_MAX_ROWS_PER_SECTION } from '../rendering/report-document';
import { cellText, fullSection, ReportInputError, ReportPeriod, ReportTemplate, SectionRows, TemplateCalculator } from './report-template';

/**
 * The six built-in templates of ARCHITECTURE §10: populations and `summary` figures exactly as the
 * contract names them, plus the sections an auditor expects for each. Every calculator is a pure
 * function of the events it is offered (in occurredAt order) and the period.
 */

const DEFAULT_PRIVILEGED_ROLES = ['super_admin', 'admin'];
const DEFAULT_FINANCIAL_RESOURCE_TYPES = ['invoice', 'ledger', 'payment', 'journal_entry'];
const DAY_MS = 24 * 60 * 60 * 1000;
export const DSR_DEADLINE_DAYS = 30;
export const DSR_EXTENDED_DEADLINE_DAYS = 90;

function stringList(parameters: Record<string, unknown>, name: string, fallback: string[]): string[] {
  const value = parameters[name];
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length === 0 || value.length > 100 || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 128)) {
    throw new ReportInputError('Invalid report parameters', [{ path: `parameters.${name}`, message: 'must be a non-empty array of at most 100 strings (1-128 characters)' }]);
  }
  return value as string[];
}

function refuseUnknownParameters(parameters: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(parameters).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ReportInputError('Invalid report parameters', unknown.map((name) => ({ path: `parameters.${name}`, message: `unknown parameter (this template understands: ${known.join(', ') || 'none'})` })));
  }
}

const isChangeAction = (action: string) => /\.(create|update|delete)$/.test(action);
const base = (e: StoredAuditEvent) => ({ occurredAt: e.occurredAt, sequence: String(e.sequence), actor: e.actor.id, action: e.action, outcome: e.outcome, resource: `${e.resource.type}/${e.resource.id}` });
const BASE_COLUMNS: Array<[string, string]> = [
  ['occurredAt', 'Occurred at (UTC)'],
  ['sequence', 'Seq.'],
  ['actor', 'Actor'],
  ['action', 'Action'],
  ['outcome', 'Outcome'],
  ['resource', 'Resource'],
];

const byCountThenKey = <T extends { count: number; key: string }>(a: T, b: T) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// ---------------------------------------------------------------------------------------------------

function soxPrivilegedAccess(_period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, ['privilegedRoles']);
  const privilegedRoles = new Set(stringList(parameters, 'privilegedRoles', DEFAULT_PRIVILEGED_ROLES));
  let events = 0;
  let deniedOrFailed = 0;
  const perActor = new Map<string, { key: string; count: number; type: string; roles: Set<string>; denied: number; failed: number; first: string; last: string }>();
  const deniedList = new SectionRows();
  return {
    add(e) {
      if (!(e.actor.type === 'admin' || (e.actor.role !== undefined && privilegedRoles.has(e.actor.role)))) return false;
      events += 1;
      let actor = perActor.get(e.actor.id);
      if (!actor) perActor.set(e.actor.id, (actor = { key: e.actor.id, count: 0, type: e.actor.type, roles: new Set(), denied: 0, failed: 0, first: e.occurredAt, last: e.occurredAt }));
      actor.count += 1;
      actor.last = e.occurredAt;
      if (e.actor.role) actor.roles.add(e.actor.role);
      if (e.outcome === 'denied' || e.outcome === 'failure') {
        deniedOrFailed += 1;
        if (e.outcome === 'denied') actor.denied += 1;
        else actor.failed += 1;
        deniedList.push(base(e));
      }
      return true;
    },
    finish() {
      const actors = [...perActor.values()].sort(byCountThenKey);
      return {
        summary: [
          { name: 'events', label: 'Privileged events', value: events },
          { name: 'actors', label: 'Privileged actors', value: perActor.size },
          { name: 'deniedOrFailed', label: 'Denied or failed', value: deniedOrFailed },
        ],
        sections: [
          fullSection(
            'Privileged actors',
            [['actor', 'Actor'], ['type', 'Type'], ['roles', 'Roles'], ['events', 'Events'], ['denied', 'Denied'], ['failed', 'Failed'], ['first', 'First event'], ['last', 'Last event']],
            actors.map((a) => ({ actor: a.key, type: a.type, roles: [...a.roles].sort().join(', '), events: String(a.count), denied: String(a.denied), failed: String(a.failed), first: a.first, last: a.last })),
            `Actors of type admin or with a role in: ${[...privilegedRoles].join(', ')}.`,
          ),
          deniedList.section('Denied and failed privileged actions', BASE_COLUMNS),
        ],
      };
    },
  };
}

function soxChangeManagement(_period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, []);
  let changes = 0;
  let unapproved = 0;
  let selfApproved = 0;
  const rows = new SectionRows();
  const flagged = new SectionRows();
  return {
    add(e) {
      if (!(e.changes !== undefined || isChangeAction(e.action))) return false;
      changes += 1;
      const approvedBy = e.metadata?.approvedBy;
      const isUnapproved = approvedBy === undefined || approvedBy === null || approvedBy === '';
      const isSelfApproved = !isUnapproved && approvedBy === e.actor.id;
      if (isUnapproved) unapproved += 1;
      if (isSelfApproved) selfApproved += 1;
      const row = {
        ...base(e),
        before: cellText(e.changes?.before),
        after: cellText(e.changes?.after),
        approvedBy: isUnapproved ? '' : cellText(approvedBy),
        flags: [isUnapproved ? 'UNAPPROVED' : '', isSelfApproved ? 'SELF-APPROVED (segregation of duties)' : ''].filter(Boolean).join('; '),
      };
      rows.push(row);
      if (isUnapproved || isSelfApproved) flagged.push(row);
      return true;
    },
    finish() {
      const columns: Array<[string, string]> = [...BASE_COLUMNS, ['before', 'Before'], ['after', 'After'], ['approvedBy', 'Approved by'], ['flags', 'Flags']];
      return {
        summary: [
          { name: 'changes', label: 'Changes', value: changes },
          { name: 'unapproved', label: 'Without approval (metadata.approvedBy)', value: unapproved },
          { name: 'selfApproved', label: 'Approved by their own author', value: selfApproved },
        ],
        sections: [
          flagged.section('Exceptions: unapproved or self-approved changes', columns, 'Segregation of duties: a change must be approved by someone other than its author.'),
          rows.section('All changes', columns),
        ],
      };
    },
  };
}

function soxFinancialDataAccess(period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, ['financialResourceTypes']);
  const financialTypes = new Set(stringList(parameters, 'financialResourceTypes', DEFAULT_FINANCIAL_RESOURCE_TYPES));
  const hours = { timezone: period.timezone, businessDays: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' };
  let accesses = 0;
  let exports = 0;
  let outsideBusinessHours = 0;
  const actors = new Set<string>();
  const reads = new SectionRows();
  const changes = new SectionRows();
  const exportRows = new SectionRows();
  const outOfHours = new SectionRows();
  return {
    add(e) {
      if (!(e.resource.sensitivity === 'financial' || financialTypes.has(e.resource.type))) return false;
      accesses += 1;
      actors.add(e.actor.id);
      const row = base(e);
      if (e.action.endsWith('.export')) {
        exports += 1;
        exportRows.push(row);
      } else if (e.changes !== undefined || isChangeAction(e.action)) changes.push(row);
      else reads.push(row);
      if (!withinBusinessHours(new Date(e.occurredAt), hours)) {
        outsideBusinessHours += 1;
        outOfHours.push(row);
      }
      return true;
    },
    finish() {
      return {
        summary: [
          { name: 'accesses', label: 'Accesses to financial data', value: accesses },
          { name: 'actors', label: 'Actors', value: actors.size },
          { name: 'exports', label: 'Exports', value: exports },
          { name: 'outsideBusinessHours', label: `Outside business hours (Mon-Fri 08:00-18:00 ${period.timezone})`, value: outsideBusinessHours },
        ],
        sections: [
          outOfHours.section('Accesses outside business hours', BASE_COLUMNS, `Monday to Friday 08:00-18:00 in ${period.timezone}.`),
          exportRows.section('Exports', BASE_COLUMNS),
          changes.section('Changes', BASE_COLUMNS),
          reads.section('Reads', BASE_COLUMNS),
        ],
      };
    },
  };
}

/** Events without a named subject (sensitivity personal only) are counted under this key. */
export const UNNAMED_SUBJECT = '(not named)';

function gdprPersonalDataAccess(_period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, []);
  let accesses = 0;
  const actors = new Set<string>();
  const subjects = new Map<string, { key: string; count: number; actors: Set<string>; actions: Set<string>; first: string; last: string }>();
  const rows = new SectionRows();
  return {
    add(e) {
      const named = e.dataSubjects ?? [];
      if (!(e.resource.sensitivity === 'personal' || named.length > 0)) return false;
      accesses += 1;
      actors.add(e.actor.id);
      for (const subject of named.length > 0 ? new Set(named) : [UNNAMED_SUBJECT]) {
        let entry = subjects.get(subject);
        if (!entry) subjects.set(subject, (entry = { key: subject, count: 0, actors: new Set(), actions: new Set(), first: e.occurredAt, last: e.occurredAt }));
        entry.count += 1;
        entry.actors.add(e.actor.id);
        entry.actions.add(e.action);
        entry.last = e.occurredAt;
      }
      rows.push({ ...base(e), subjects: named.join(', ') });
      return true;
    },
    finish() {
      const named = [...subjects.values()].filter((s) => s.key !== UNNAMED_SUBJECT);
      const perSubject = [...subjects.values()].sort(byCountThenKey);
      return {
        summary: [
          { name: 'accesses', label: 'Accesses to personal data', value: accesses },
          { name: 'actors', label: 'Actors', value: actors.size },
          { name: 'dataSubjects', label: 'Data subjects (distinct)', value: named.length },
        ],
        sections: [
          fullSection(
            'Per data subject',
            [['subject', 'Data subject'], ['accesses', 'Accesses'], ['actors', 'Actors'], ['actions', 'Actions'], ['first', 'First'], ['last', 'Last']],
            perSubject.map((s) => ({ subject: s.key, accesses: String(s.count), actors: [...s.actors].sort().join(', '), actions: [...s.actions].sort().join(', '), first: s.first, last: s.last })),
          ),
          rows.section('Accesses', [...BASE_COLUMNS, ['subjects', 'Data subjects']]),
        ],
      };
    },
  };
}

function gdprConsentRecords(_period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, []);
  let granted = 0;
  let withdrawn = 0;
  const timelines = new Map<string, Array<Record<string, string>>>();
  let timelineRows = 0;
  return {
    add(e) {
      if (e.resource.type !== 'consent') return false;
      if (e.action === 'consent.grant') granted += 1;
      if (e.action === 'consent.withdraw') withdrawn += 1;
      let timeline = timelines.get(e.resource.id);
      if (!timeline) timelines.set(e.resource.id, (timeline = []));
      // Rows beyond the PDF cap are not kept; the CSV has every event.
      if (timelineRows < PDF_MAX_ROWS_PER_SECTION) {
        timeline.push({ subject: e.resource.id, ...base(e), purpose: cellText(e.metadata?.purpose) });
        timelineRows += 1;
      }
      return true;
    },
    finish() {
      const subjects = [...timelines.keys()].sort();
      const rows = subjects.flatMap((subject) => timelines.get(subject)!);
      const current = subjects.map((subject) => {
        const timeline = timelines.get(subject)!;
        const last = [...timeline].reverse().find((r) => r.action === 'consent.grant' || r.action === 'consent.withdraw');
        return { subject, state: last ? (last.action === 'consent.grant' ? 'granted' : 'withdrawn') : 'unchanged', at: last?.occurredAt ?? '', events: String(timeline.length) };
      });
      return {
        summary: [
          { name: 'granted', label: 'Consents granted', value: granted },
          { name: 'withdrawn', label: 'Consents withdrawn', value: withdrawn },
          { name: 'subjects', label: 'Subjects (distinct consent records)', value: timelines.size },
        ],
        sections: [
          fullSection('Consent state at period end', [['subject', 'Consent record'], ['state', 'Last change'], ['at', 'At'], ['events', 'Events']], current),
          fullSection('Timeline per subject', [['subject', 'Consent record'], ...BASE_COLUMNS.filter(([key]) => key !== 'resource'), ['purpose', 'Purpose']], rows),
        ],
      };
    },
  };
}

interface DsrState {
  key: string;
  receivedAt?: string;
  extendedAt?: string;
  completedAt?: string;
  rejectedAt?: string;
}

/**
 * A request's deadline is 30 days after receipt, 90 if it was extended. It is overdue at `to` when
 * the deadline has passed by then and it was not completed or rejected by the deadline. Requests
 * whose receipt is not in the period are listed but cannot be judged (no receipt date).
 */
export function dsrDeadline(request: Pick<DsrState, 'receivedAt' | 'extendedAt'>): string | null {
  if (!request.receivedAt) return null;
  const days = request.extendedAt ? DSR_EXTENDED_DEADLINE_DAYS : DSR_DEADLINE_DAYS;
  return new Date(Date.parse(request.receivedAt) + days * DAY_MS).toISOString();
}

export function dsrOverdue(request: DsrState, to: string): boolean {
  const deadline = dsrDeadline(request);
  if (!deadline || deadline >= to) return false;
  const closedAt = request.completedAt ?? request.rejectedAt;
  return closedAt === undefined || closedAt > deadline;
}

function gdprDataSubjectRequests(period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator {
  refuseUnknownParameters(parameters, []);
  const counts = { received: 0, completed: 0, rejected: 0 };
  const requests = new Map<string, DsrState>();
  return {
    add(e) {
      if (e.resource.type !== 'data_subject_request') return false;
      let request = requests.get(e.resource.id);
      if (!request) requests.set(e.resource.id, (request = { key: e.resource.id }));
      if (e.action === 'dsr.received') {
        counts.received += 1;
        request.receivedAt ??= e.occurredAt;
      } else if (e.action === 'dsr.extended') request.extendedAt ??= e.occurredAt;
      else if (e.action === 'dsr.completed') {
        counts.completed += 1;
        request.completedAt ??= e.occurredAt;
      } else if (e.action === 'dsr.rejected') {
        counts.rejected += 1;
        request.rejectedAt ??= e.occurredAt;
      }
      return true;
    },
    finish() {
      const all = [...requests.values()].sort((a, b) => ((a.receivedAt ?? '~') < (b.receivedAt ?? '~') ? -1 : (a.receivedAt ?? '~') > (b.receivedAt ?? '~') ? 1 : a.key < b.key ? -1 : 1));
      const overdue = all.filter((r) => dsrOverdue(r, period.to)).length;
      const open = all.filter((r) => r.receivedAt && !r.completedAt && !r.rejectedAt).length;
      return {
        summary: [
          { name: 'received', label: 'Requests received', value: counts.received },
          { name: 'completed', label: 'Completed', value: counts.completed },
          { name: 'rejected', label: 'Rejected', value: counts.rejected },
          { name: 'overdue', label: `Overdue (${DSR_DEADLINE_DAYS} days, ${DSR_EXTENDED_DEADLINE_DAYS} if extended)`, value: overdue },
          { name: 'openAtPeriodEnd', label: 'Open at period end', value: open },
        ],
        sections: [
          fullSection(
            'Data-subject requests',
            [['request', 'Request'], ['received', 'Received'], ['extended', 'Extended'], ['completed', 'Completed'], ['rejected', 'Rejected'], ['daysTaken', 'Days taken'], ['deadline', 'Deadline'], ['overdue', 'Overdue']],
            all.map((r) => {
              const closedAt = r.completedAt ?? r.rejectedAt;
              return {
                request: r.key,
                received: r.receivedAt ?? '(before the period)',
                extended: r.extendedAt ?? '',
                completed: r.completedAt ?? '',
                rejected: r.rejectedAt ?? '',
                daysTaken: r.receivedAt && closedAt ? ((Date.parse(closedAt) - Date.parse(r.receivedAt)) / DAY_MS).toFixed(1) : '',
                deadline: dsrDeadline(r) ?? '',
                overdue: dsrOverdue(r, period.to) ? 'yes' : 'no',
              };
            }),
            `Overdue is judged at the end of the period (${period.to}).`,
          ),
        ],
      };
    },
  };
}

function builtIn(id: string, framework: string, name: string, description: string, parameters: Record<string, unknown>, calculator: ReportTemplate['calculator']): ReportTemplate {
  return { id, version: 1, framework, name, description, builtIn: true, parameters, calculator };
}

export const BUILT_IN_TEMPLATES: readonly ReportTemplate[] = [
  builtIn('sox-privileged-access', 'SOX', 'SOX privileged access', 'Every action by an administrator or a privileged role, per actor, with denied and failed attempts.', { privilegedRoles: DEFAULT_PRIVILEGED_ROLES }, soxPrivilegedAccess),
  builtIn('sox-change-management', 'SOX', 'SOX change management', 'Every change (events with changes, or actions ending .create/.update/.delete) with before/after, approval and segregation-of-duties flags.', {}, soxChangeManagement),
  builtIn('sox-financial-data-access', 'SOX', 'SOX financial data access', 'Reads, changes and exports of financial data, and accesses outside business hours.', { financialResourceTypes: DEFAULT_FINANCIAL_RESOURCE_TYPES }, soxFinancialDataAccess),
  builtIn('gdpr-personal-data-access', 'GDPR', 'GDPR personal data access', 'Accesses to personal data (sensitivity personal or named data subjects), per data subject.', {}, gdprPersonalDataAccess),
  builtIn('gdpr-consent-records', 'GDPR', 'GDPR consent records', 'Consents granted and withdrawn, as a timeline per consent record.', {}, gdprConsentRecords),
  builtIn('gdpr-data-subject-requests', 'GDPR', 'GDPR data-subject requests', 'Each data-subject request with its received, extended and completed dates, days taken, deadline and overdue flag.', {}, gdprDataSubjectRequests),
];

export function builtInTemplate(id: string): ReportTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((t) => t.id === id);
}

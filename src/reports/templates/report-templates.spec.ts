import { StoredAuditEvent } from '../../audit-log/audit-event';
import { computeReport, localDaysOf } from '../generation/report-computation';
import { BUILT_IN_TEMPLATES } from './builtin-templates';
import { configurableTemplate, templateDefinitionOf } from './configurable-template';
import { HIPAA_PHI_ACCESS_BODY, INDUSTRY_TEMPLATE_DEFINITIONS, PCI_DSS_REQ10_BODY } from './industry-templates';
import { ReportInputError, ReportPeriod } from './report-template';

/** March 2026 in Berlin: CET (UTC+1) until Sunday 29 March 01:00 UTC, then CEST (UTC+2). */
const MARCH: ReportPeriod = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', timezone: 'Europe/Berlin' };

let sequence = 0;
function event(overrides: Partial<StoredAuditEvent> & Pick<StoredAuditEvent, 'occurredAt'>): StoredAuditEvent {
  sequence += 1;
  return {
    id: `e${sequence}`,
    tenantId: 'acme',
    sequence,
    recordedAt: overrides.occurredAt,
    prevHash: 'p',
    hash: 'h',
    actor: { id: 'alice', type: 'user' },
    action: 'document.read',
    outcome: 'success',
    resource: { type: 'document', id: 'D1' },
    channel: 'ui',
    ...overrides,
  };
}

const figures = (templateId: string, events: StoredAuditEvent[], parameters: Record<string, unknown> = {}, period = MARCH) => {
  const template = [...BUILT_IN_TEMPLATES, ...INDUSTRY_TEMPLATE_DEFINITIONS.map((d) => configurableTemplate(d, 1, true))].find((t) => t.id === templateId)!;
  const report = computeReport(template, period, parameters, events);
  return { report, summary: Object.fromEntries(report.summary.map((f) => [f.name, f.value])) };
};

/** Just outside the period on either side: never counted by any template. */
const outside = (overrides: Partial<StoredAuditEvent>) => [
  event({ ...overrides, occurredAt: '2026-02-28T23:59:59.999Z' }),
  event({ ...overrides, occurredAt: '2026-04-01T00:00:00.000Z' }),
];

describe('built-in report templates (figures over a hand-computed dataset)', () => {
  describe('sox-privileged-access', () => {
    const events = [
      event({ occurredAt: '2026-03-01T00:00:00.000Z', actor: { id: 'root', type: 'admin' } }),
      event({ occurredAt: '2026-03-02T10:00:00.000Z', actor: { id: 'root', type: 'admin' }, outcome: 'denied' }),
      event({ occurredAt: '2026-03-03T10:00:00.000Z', actor: { id: 'sam', type: 'user', role: 'super_admin' }, outcome: 'failure' }),
      event({ occurredAt: '2026-03-04T10:00:00.000Z', actor: { id: 'ann', type: 'user', role: 'auditor' }, outcome: 'denied' }),
      event({ occurredAt: '2026-03-31T23:59:59.999Z', actor: { id: 'dba', type: 'service', role: 'dba' } }),
      ...outside({ actor: { id: 'root', type: 'admin' }, outcome: 'denied' }),
    ];

    it('given 2 admin events, 1 super_admin failure, 1 auditor denial and 1 dba event, counts events 3, actors 2, deniedOrFailed 2 with the default roles', () => {
      const { summary, report } = figures('sox-privileged-access', events);
      expect(summary).toEqual({ events: 3, actors: 2, deniedOrFailed: 2 });
      expect(report.sections[0].rows.map((r) => [r.actor, r.events, r.denied, r.failed])).toEqual([['root', '2', '1', '0'], ['sam', '1', '0', '1']]);
      expect(report.sections[1].totalRows).toBe(2);
    });

    it('with privilegedRoles ["dba"] counts the admin events and the dba event: events 3, actors 2, deniedOrFailed 1', () => {
      expect(figures('sox-privileged-access', events, { privilegedRoles: ['dba'] }).summary).toEqual({ events: 3, actors: 2, deniedOrFailed: 1 });
    });

    it('refuses an unknown parameter and a privilegedRoles that is not a list of strings', () => {
      expect(() => figures('sox-privileged-access', events, { roles: ['x'] })).toThrow(ReportInputError);
      expect(() => figures('sox-privileged-access', events, { privilegedRoles: 'admin' })).toThrow(ReportInputError);
    });
  });

  it('sox-change-management: 4 changes (changes field, .create, .update, .delete), 2 unapproved, 1 self-approved; a read is not a change', () => {
    const events = [
      event({ occurredAt: '2026-03-05T10:00:00.000Z', action: 'config.set', changes: { before: { a: 1 }, after: { a: 2 } }, metadata: { approvedBy: 'bob' } }),
      event({ occurredAt: '2026-03-05T11:00:00.000Z', action: 'user.create' }),
      event({ occurredAt: '2026-03-05T12:00:00.000Z', action: 'invoice.update', metadata: { approvedBy: 'alice' } }),
      event({ occurredAt: '2026-03-05T13:00:00.000Z', action: 'invoice.delete', metadata: { approvedBy: '' } }),
      event({ occurredAt: '2026-03-05T14:00:00.000Z', action: 'invoice.read' }),
      ...outside({ action: 'user.delete' }),
    ];
    const { summary, report } = figures('sox-change-management', events);
    expect(summary).toEqual({ changes: 4, unapproved: 2, selfApproved: 1 });
    expect(report.sections[0].rows.map((r) => r.flags)).toEqual(['UNAPPROVED', 'SELF-APPROVED (segregation of duties)', 'UNAPPROVED']);
    expect(report.sections[1].rows[0]).toMatchObject({ before: '{"a":1}', after: '{"a":2}', approvedBy: 'bob', flags: '' });
  });

  describe('sox-financial-data-access (business hours Mon-Fri 08-18 in the report timezone, across the DST change)', () => {
    const events = [
      // Fri 27 Mar 07:30 UTC = 08:30 CET: inside.
      event({ occurredAt: '2026-03-27T07:30:00.000Z', actor: { id: 'fin1', type: 'user' }, resource: { type: 'invoice', id: 'I1' } }),
      // Fri 27 Mar 16:30 UTC = 17:30 CET: inside.
      event({ occurredAt: '2026-03-27T16:30:00.000Z', actor: { id: 'fin1', type: 'user' }, resource: { type: 'ledger', id: 'L1' }, action: 'ledger.export' }),
      // Mon 30 Mar 16:30 UTC = 18:30 CEST: outside (it would be inside at the winter offset).
      event({ occurredAt: '2026-03-30T16:30:00.000Z', actor: { id: 'fin2', type: 'user' }, resource: { type: 'report', id: 'R', sensitivity: 'financial' }, action: 'report.update' }),
      // Mon 30 Mar 05:30 UTC = 07:30 CEST: outside.
      event({ occurredAt: '2026-03-30T05:30:00.000Z', actor: { id: 'fin2', type: 'user' }, resource: { type: 'payment', id: 'P1' } }),
      // Sat 28 Mar 10:00 UTC: weekend, outside.
      event({ occurredAt: '2026-03-28T10:00:00.000Z', actor: { id: 'fin3', type: 'user' }, resource: { type: 'journal_entry', id: 'J1' }, action: 'journal_entry.export' }),
      event({ occurredAt: '2026-03-27T10:00:00.000Z', resource: { type: 'document', id: 'D' } }),
      ...outside({ resource: { type: 'invoice', id: 'I9' } }),
    ];

    it('counts accesses 5, actors 3, exports 2, outsideBusinessHours 3 (Saturday, Mon 07:30 and 18:30 CEST)', () => {
      const { summary, report } = figures('sox-financial-data-access', events);
      expect(summary).toEqual({ accesses: 5, actors: 3, exports: 2, outsideBusinessHours: 3 });
      expect(report.sections[0].rows.map((r) => r.occurredAt)).toEqual(['2026-03-28T10:00:00.000Z', '2026-03-30T05:30:00.000Z', '2026-03-30T16:30:00.000Z']);
    });

    it('in UTC other events are outside business hours: Fri 07:30, Saturday, Mon 05:30 (Mon 16:30 is inside)', () => {
      const { report } = figures('sox-financial-data-access', events, {}, { ...MARCH, timezone: 'UTC' });
      expect(report.sections[0].rows.map((r) => r.occurredAt)).toEqual(['2026-03-27T07:30:00.000Z', '2026-03-28T10:00:00.000Z', '2026-03-30T05:30:00.000Z']);
    });

    it('financialResourceTypes ["payment"] narrows the population to payments and financial sensitivity: accesses 2', () => {
      expect(figures('sox-financial-data-access', events, { financialResourceTypes: ['payment'] }).summary.accesses).toBe(2);
    });
  });

  it('gdpr-personal-data-access: personal sensitivity or named subjects; accesses 3, actors 2, dataSubjects 3 (distinct named)', () => {
    const events = [
      event({ occurredAt: '2026-03-10T10:00:00.000Z', actor: { id: 'a', type: 'user' }, dataSubjects: ['s1', 's2'] }),
      event({ occurredAt: '2026-03-11T10:00:00.000Z', actor: { id: 'b', type: 'user' }, dataSubjects: ['s2', 's3'] }),
      event({ occurredAt: '2026-03-12T10:00:00.000Z', actor: { id: 'a', type: 'user' }, resource: { type: 'profile', id: 'x', sensitivity: 'personal' } }),
      event({ occurredAt: '2026-03-12T11:00:00.000Z', actor: { id: 'c', type: 'user' }, dataSubjects: [] }),
      ...outside({ dataSubjects: ['s9'] }),
    ];
    const { summary, report } = figures('gdpr-personal-data-access', events);
    expect(summary).toEqual({ accesses: 3, actors: 2, dataSubjects: 3 });
    expect(report.sections[0].rows.map((r) => [r.subject, r.accesses])).toEqual([['s2', '2'], ['(not named)', '1'], ['s1', '1'], ['s3', '1']]);
  });

  it('gdpr-consent-records: granted 2, withdrawn 1, subjects 2; the state at period end is per subject', () => {
    const events = [
      event({ occurredAt: '2026-03-01T09:00:00.000Z', resource: { type: 'consent', id: 'c-1' }, action: 'consent.grant' }),
      event({ occurredAt: '2026-03-02T09:00:00.000Z', resource: { type: 'consent', id: 'c-2' }, action: 'consent.grant' }),
      event({ occurredAt: '2026-03-03T09:00:00.000Z', resource: { type: 'consent', id: 'c-1' }, action: 'consent.withdraw' }),
      event({ occurredAt: '2026-03-04T09:00:00.000Z', resource: { type: 'consent', id: 'c-2' }, action: 'consent.view' }),
      ...outside({ resource: { type: 'consent', id: 'c-3' }, action: 'consent.grant' }),
    ];
    const { summary, report } = figures('gdpr-consent-records', events);
    expect(summary).toEqual({ granted: 2, withdrawn: 1, subjects: 2 });
    expect(report.sections[0].rows).toEqual([
      { subject: 'c-1', state: 'withdrawn', at: '2026-03-03T09:00:00.000Z', events: '2' },
      { subject: 'c-2', state: 'granted', at: '2026-03-02T09:00:00.000Z', events: '2' },
    ]);
    expect(report.sections[1].rows.map((r) => r.subject)).toEqual(['c-1', 'c-1', 'c-2', 'c-2']);
  });

  it('gdpr-data-subject-requests: received 4, completed 2, rejected 1, overdue 2, openAtPeriodEnd 2 (r3, r4), judged at the end of the period', () => {
    const dsr = (id: string, action: string, occurredAt: string) => event({ occurredAt, resource: { type: 'data_subject_request', id }, action });
    const events = [
      // r1: received 1 Feb (before the period) - listed, not judged.
      dsr('r1', 'dsr.completed', '2026-03-02T00:00:00.000Z'),
      // r2: received 1 Mar, completed 20 Mar: 19.0 days, on time.
      dsr('r2', 'dsr.received', '2026-03-01T00:00:00.000Z'),
      dsr('r2', 'dsr.completed', '2026-03-20T00:00:00.000Z'),
      // r3: received 1 Mar 00:00, deadline 31 Mar 00:00 < to, still open: overdue.
      dsr('r3', 'dsr.received', '2026-03-01T00:00:00.000Z'),
      // r4: received 1 Mar, extended: deadline 30 May, open but not overdue.
      dsr('r4', 'dsr.received', '2026-03-01T12:00:00.000Z'),
      dsr('r4', 'dsr.extended', '2026-03-10T00:00:00.000Z'),
      // r5: received 1 Mar 06:00, rejected 31 Mar 07:00, after the 31 Mar 06:00 deadline: overdue.
      dsr('r5', 'dsr.received', '2026-03-01T06:00:00.000Z'),
      dsr('r5', 'dsr.rejected', '2026-03-31T07:00:00.000Z'),
      ...outside({ resource: { type: 'data_subject_request', id: 'r9' }, action: 'dsr.received' }),
    ];
    const { summary, report } = figures('gdpr-data-subject-requests', events);
    expect(summary).toEqual({ received: 4, completed: 2, rejected: 1, overdue: 2, openAtPeriodEnd: 2 });
    const byId = Object.fromEntries(report.sections[0].rows.map((r) => [r.request, r]));
    expect(byId.r2).toMatchObject({ daysTaken: '19.0', deadline: '2026-03-31T00:00:00.000Z', overdue: 'no' });
    expect(byId.r3).toMatchObject({ overdue: 'yes', completed: '' });
    expect(byId.r4).toMatchObject({ deadline: '2026-05-30T12:00:00.000Z', overdue: 'no' });
    expect(byId.r1).toMatchObject({ received: '(before the period)', overdue: 'no' });
  });
});

describe('configurable templates', () => {
  it('hipaa-phi-access over PHI events: accesses 3, users 2, records 2, deniedOrFailed 1, exports 1', () => {
    const events = [
      event({ occurredAt: '2026-03-02T10:00:00.000Z', actor: { id: 'dr1', type: 'user' }, resource: { type: 'patient_record', id: 'P1' }, action: 'patient_record.read' }),
      event({ occurredAt: '2026-03-02T11:00:00.000Z', actor: { id: 'dr2', type: 'user' }, resource: { type: 'patient_record', id: 'P2' }, action: 'patient_record.read', outcome: 'denied' }),
      event({ occurredAt: '2026-03-02T12:00:00.000Z', actor: { id: 'dr1', type: 'user' }, resource: { type: 'lab_result', id: 'P1' }, action: 'lab_result.export' }),
      event({ occurredAt: '2026-03-02T13:00:00.000Z', resource: { type: 'invoice', id: 'I' } }),
      ...outside({ resource: { type: 'patient_record', id: 'P3' } }),
    ];
    const { summary, report } = figures('hipaa-phi-access', events);
    expect(summary).toEqual({ accesses: 3, users: 2, records: 2, deniedOrFailed: 1, exports: 1 });
    expect(report.populationSize).toBe(3);
    expect(report.sections[1].rows).toEqual([
      { group: 'dr1', events: '2', first: '2026-03-02T10:00:00.000Z', last: '2026-03-02T12:00:00.000Z' },
      { group: 'dr2', events: '1', first: '2026-03-02T11:00:00.000Z', last: '2026-03-02T11:00:00.000Z' },
    ]);
  });

  it('pci-dss-req10 counts each 10.2.1 category; one event can be in several sections but once in the population', () => {
    const events = [
      event({ occurredAt: '2026-03-02T10:00:00.000Z', actor: { id: 'root', type: 'admin' }, resource: { type: 'cardholder_data', id: 'C1' }, outcome: 'denied' }),
      event({ occurredAt: '2026-03-02T11:00:00.000Z', action: 'audit_log.export', resource: { type: 'audit_log', id: 'acme' } }),
      event({ occurredAt: '2026-03-02T12:00:00.000Z', action: 'role.assign', resource: { type: 'role', id: 'admin' } }),
      event({ occurredAt: '2026-03-02T13:00:00.000Z' }),
    ];
    const { summary, report } = figures('pci-dss-req10', events);
    expect(summary).toEqual({ cardholderDataAccesses: 1, adminActions: 1, auditLogAccesses: 1, invalidAccessAttempts: 1, authenticationChanges: 1 });
    expect(report.populationSize).toBe(3);
  });

  it('the industry examples are valid bodies of POST /v1/report-templates', () => {
    expect(() => templateDefinitionOf(HIPAA_PHI_ACCESS_BODY, HIPAA_PHI_ACCESS_BODY.id)).not.toThrow();
    expect(() => templateDefinitionOf(PCI_DSS_REQ10_BODY, PCI_DSS_REQ10_BODY.id)).not.toThrow();
  });

  it('refuses a definition naming an unknown field, an unknown match condition and a summary of a missing section, each with its path', () => {
    const body = {
      name: 'x',
      framework: 'ISO',
      description: '',
      sections: [{ title: 'A', match: { actorKinds: ['user'] }, columns: ['actor.colour'] }],
      summary: [{ name: 'n', section: 'B', aggregate: 'count' }],
    };
    try {
      templateDefinitionOf(body, 'iso-27001');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ReportInputError);
      expect((error as ReportInputError).errors.map((e) => e.path)).toEqual(['sections[0].match.actorKinds', 'sections[0].columns[0]', 'summary[0].section']);
    }
  });
});

describe(localDaysOf.name, () => {
  it('lists 31 local days for Berlin-local March (the 23-hour DST day once), 32 for UTC March (it ends at 02:00 on 1 April in Berlin), 1 inside one day', () => {
    const days = localDaysOf({ from: '2026-02-28T23:00:00.000Z', to: '2026-03-31T22:00:00.000Z', timezone: 'Europe/Berlin' });
    expect(days).toHaveLength(31);
    expect([days[0], days[30]]).toEqual(['2026-03-01', '2026-03-31']);
    expect(localDaysOf(MARCH).slice(-2)).toEqual(['2026-03-31', '2026-04-01']);
    expect(localDaysOf({ from: '2026-03-29T00:30:00.000Z', to: '2026-03-29T21:00:00.000Z', timezone: 'Europe/Berlin' })).toEqual(['2026-03-29']);
  });

  it('a UTC month seen from New York starts on the last day of the previous month', () => {
    expect(localDaysOf({ ...MARCH, timezone: 'America/New_York' })[0]).toBe('2026-02-28');
  });
});

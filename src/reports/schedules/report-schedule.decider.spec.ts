import { foldEvents } from '../../event-sourcing/decider';
import { dueRunOf, ReportScheduleDefinition, scheduledReportIdOf, ScheduleRun } from './report-schedule';
import { ReportScheduleCommand, reportScheduleDecider, ReportScheduleState } from './report-schedule.decider';
import { ReportScheduleExistsError, ReportScheduleNotFoundError } from './report-schedule.errors';
import { REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_DELETED, REPORT_SCHEDULE_RUN_REQUESTED, REPORT_SCHEDULE_UPDATED, ReportScheduleEvent } from './report-schedule.events';

const ID = '0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const decider = reportScheduleDecider(ID);
const daily: ReportScheduleDefinition = { templateId: 'sox-privileged-access', frequency: 'daily', timezone: 'Europe/Berlin', time: '06:00', format: 'pdf', delivery: { notify: true }, enabled: true };
const at = (iso: string) => ({ tenantId: 'acme', by: 'alice', now: new Date(iso) });

/** Given these commands were accepted, the state after them (and every event they produced). */
function given(...commands: ReportScheduleCommand[]): { state: ReportScheduleState; events: ReportScheduleEvent[] } {
  const events: ReportScheduleEvent[] = [];
  let state = decider.initialState;
  for (const command of commands) {
    const decided = decider.decide(command, state);
    events.push(...decided);
    state = foldEvents({ initialState: state, evolve: decider.evolve }, decided);
  }
  return { state, events };
}

const create = (iso = '2026-03-01T10:00:00Z', definition = daily): ReportScheduleCommand => ({ ...at(iso), kind: 'create', definition });
const scheduledRun = (scheduledFor: string): ScheduleRun => ({
  reportId: 'r1',
  period: { from: '2026-03-01T23:00:00.000Z', to: '2026-03-02T23:00:00.000Z' },
  trigger: 'schedule',
  scheduledFor,
  requestedAt: scheduledFor,
  requestedBy: 'schedule:runner',
  status: 'queued',
});
const schedule = (state: ReportScheduleState) => (state.status === 'active' ? state.schedule : null)!;

describe(reportScheduleDecider.name, () => {
  it('given nothing, when created, then the schedule is active since its creation with version 1 and no run; its first due run is the next 06:00 local', () => {
    const { state, events } = given(create());
    expect(events.map((e) => e.type)).toEqual([REPORT_SCHEDULE_CREATED]);
    expect(schedule(state)).toMatchObject({ id: ID, version: 1, activeSince: '2026-03-01T10:00:00.000Z', lastRun: null, lastScheduledRunAt: null, createdBy: 'alice' });
    expect(dueRunOf(schedule(state))!.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  it('given a schedule, when created again, then it is refused', () => {
    expect(() => given(create(), create())).toThrow(ReportScheduleExistsError);
  });

  it('given a schedule, when replaced with the same definition, then nothing is written', () => {
    expect(given(create(), { ...at('2026-03-02T00:00:00Z'), kind: 'replace', definition: { ...daily } }).events).toHaveLength(1);
  });

  it('given a schedule, when only its delivery changes, then the version goes up and the due run stays where it was', () => {
    const { state, events } = given(create(), { ...at('2026-03-02T05:00:10Z'), kind: 'replace', definition: { ...daily, delivery: { notify: false, emails: ['a@example.com'] } } });
    expect(events.map((e) => e.type)).toEqual([REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_UPDATED]);
    expect(schedule(state)).toMatchObject({ version: 2, activeSince: '2026-03-01T10:00:00.000Z', delivery: { notify: false, emails: ['a@example.com'] } });
    expect(dueRunOf(schedule(state))!.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  it('given a schedule, when its time changes, then runs are due only after the change', () => {
    const { state } = given(create(), { ...at('2026-03-02T05:30:00Z'), kind: 'replace', definition: { ...daily, time: '05:00' } });
    expect(dueRunOf(schedule(state))!.toISOString()).toBe('2026-03-03T04:00:00.000Z');
  });

  it('given a replacement that drops dayOfWeek (weekly → daily), then the schedule has no dayOfWeek any more', () => {
    const { state } = given(create('2026-03-01T10:00:00Z', { ...daily, frequency: 'weekly', dayOfWeek: 1 }), { ...at('2026-03-02T00:00:00Z'), kind: 'replace', definition: daily });
    expect(schedule(state).dayOfWeek).toBeUndefined();
    expect(schedule(state).frequency).toBe('daily');
  });

  it('given a disabled schedule, then nothing is due', () => {
    expect(dueRunOf(schedule(given(create('2026-03-01T10:00:00Z', { ...daily, enabled: false })).state))).toBeNull();
  });

  it('given a recorded due run, when the same run is recorded again (a second instance), then nothing is written and the next due run is the day after', () => {
    const { state, events } = given(create(), { ...at('2026-03-02T05:00:01Z'), kind: 'recordRun', run: scheduledRun('2026-03-02T05:00:00.000Z') }, { ...at('2026-03-02T05:00:02Z'), kind: 'recordRun', run: scheduledRun('2026-03-02T05:00:00.000Z') });
    expect(events.map((e) => e.type)).toEqual([REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_RUN_REQUESTED]);
    expect(schedule(state)).toMatchObject({ lastScheduledRunAt: '2026-03-02T05:00:00.000Z', lastRun: { reportId: 'r1', trigger: 'schedule' }, version: 1 });
    expect(dueRunOf(schedule(state))!.toISOString()).toBe('2026-03-03T05:00:00.000Z');
  });

  it('given a manual run, then it is the last run but the due runs are unchanged', () => {
    const manual: ScheduleRun = { ...scheduledRun('x'), trigger: 'manual', scheduledFor: null, reportId: 'm1' };
    const { state } = given(create(), { ...at('2026-03-01T12:00:00Z'), kind: 'recordRun', run: manual });
    expect(schedule(state)).toMatchObject({ lastRun: { reportId: 'm1', trigger: 'manual' }, lastScheduledRunAt: null });
    expect(dueRunOf(schedule(state))!.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  it('given a deleted schedule, when a run is recorded, then nothing is written; when replaced, then it is not found', () => {
    const { state, events } = given(create(), { ...at('2026-03-01T11:00:00Z'), kind: 'delete' }, { ...at('2026-03-02T05:00:01Z'), kind: 'recordRun', run: scheduledRun('2026-03-02T05:00:00.000Z') });
    expect(events.map((e) => e.type)).toEqual([REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_DELETED]);
    expect(state).toEqual({ status: 'deleted', version: 2 });
    expect(() => decider.decide({ ...at('2026-03-02T00:00:00Z'), kind: 'replace', definition: daily }, state)).toThrow(ReportScheduleNotFoundError);
  });
});

describe(scheduledReportIdOf.name, () => {
  const period = { from: '2026-03-01T23:00:00.000Z', to: '2026-03-02T23:00:00.000Z' };
  it('is the same for the same tenant, schedule and period, and UUID-shaped', () => {
    expect(scheduledReportIdOf('acme', ID, period)).toBe(scheduledReportIdOf('acme', ID, { ...period }));
    expect(scheduledReportIdOf('acme', ID, period)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('differs for another tenant, schedule or period', () => {
    const id = scheduledReportIdOf('acme', ID, period);
    expect(scheduledReportIdOf('globex', ID, period)).not.toBe(id);
    expect(scheduledReportIdOf('acme', ID.replace('0b7e', '0b7f'), period)).not.toBe(id);
    expect(scheduledReportIdOf('acme', ID, { ...period, to: '2026-03-03T23:00:00.000Z' })).not.toBe(id);
  });
});

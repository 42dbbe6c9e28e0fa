import { decideOnStream, DecidedCommand } from '../../event-sourcing/decider-stream';
import { EventStore } from '../../event-store/event-store.port';
import { ReportRequests } from '../report-requests.port';
import { ReportSchedule, scheduledReportIdOf, ScheduleRun } from './report-schedule';
import { reportScheduleStreamOf } from './report-schedule-stream';
import { ReportScheduleCommand, reportScheduleDecider, ReportScheduleState } from './report-schedule.decider';
import { decodeReportScheduleEvent, ReportScheduleEvent } from './report-schedule.events';
import { Period } from './schedule-time';

/**
 * A run is a fact to record whatever else reached the schedule stream meanwhile (another instance's
 * record of the same run decides nothing), so a lost append race is decided again, this many times.
 */
export const RUN_RECORD_REDECISIONS = 5;

/** `requestedBy` of the reports a schedule asks for (ReportRequest, ReportDocument). */
export const scheduleRequester = (scheduleId: string) => `schedule:${scheduleId}`;

export interface RunToRequest {
  tenantId: string;
  schedule: ReportSchedule;
  period: Period;
  trigger: ScheduleRun['trigger'];
  scheduledFor: Date | null;
  /** Who records the run in the schedule stream: the caller of POST /run, or the runner. */
  by: string;
  now: Date;
}

/**
 * Asks REPORT_REQUESTS for one period of a schedule under its deterministic id (a repeat returns the
 * existing report), then records the run on the schedule stream. A crash between the two repeats the
 * request on the next tick, which changes nothing.
 */
export async function requestScheduledReport(
  reports: ReportRequests,
  events: EventStore,
  run: RunToRequest,
  record: (command: ReportScheduleCommand) => Promise<DecidedCommand<ReportScheduleState, ReportScheduleEvent>> = (command) =>
    decideOnStream(events, reportScheduleStreamOf(run.tenantId, run.schedule.id), reportScheduleDecider(run.schedule.id), decodeReportScheduleEvent, command, { tenantId: run.tenantId, actorId: run.by }, { redecideOnConflict: RUN_RECORD_REDECISIONS }),
): Promise<{ run: ScheduleRun; created: boolean }> {
  const { schedule, period } = run;
  const reportId = scheduledReportIdOf(run.tenantId, schedule.id, period);
  const requested = await reports.request(run.tenantId, {
    id: reportId,
    templateId: schedule.templateId,
    from: period.from,
    to: period.to,
    timezone: schedule.timezone,
    format: schedule.format,
    ...(schedule.parameters ? { parameters: schedule.parameters } : {}),
    requestedBy: scheduleRequester(schedule.id),
    scheduleId: schedule.id,
    delivery: schedule.delivery,
  });
  const recorded: ScheduleRun = {
    reportId: requested.id,
    period,
    trigger: run.trigger,
    scheduledFor: run.scheduledFor?.toISOString() ?? null,
    requestedAt: run.now.toISOString(),
    requestedBy: run.by,
    status: requested.status,
  };
  await record({ tenantId: run.tenantId, by: run.by, now: run.now, kind: 'recordRun', run: recorded });
  return { run: recorded, created: requested.created };
}

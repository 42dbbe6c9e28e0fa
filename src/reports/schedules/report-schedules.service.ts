import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../../auth/principal';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { decideAndProject } from '../../event-sourcing/decide-and-project';
import { DecidedCommand } from '../../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AuditedChanges } from '../../self-audit/self-audit.decorators';
import { DEFAULT_TENANT_TIMEZONE, TENANT_SETTINGS, TenantSettingsReader } from '../../tenant-settings/tenant-settings.port';
import { REPORT_REQUESTS, ReportRequests } from '../report-requests.port';
import { dueRunOf, ReportSchedule, ReportScheduleDefinition } from './report-schedule';
import { scheduleDefinitionOf } from './report-schedule-input';
import { REPORT_SCHEDULE_CLOCK, ReportScheduleClock } from './report-schedule-clock';
import { reportScheduleStreamOf } from './report-schedule-stream';
import { ReportScheduleCommand, reportScheduleDecider, ReportScheduleState } from './report-schedule.decider';
import { ReportGenerationUnavailableError, ReportScheduleNotFoundError, ReportScheduleRefusedError } from './report-schedule.errors';
import { decodeReportScheduleEvent, ReportScheduleEvent } from './report-schedule.events';
import { REPORT_SCHEDULES, REPORT_SCHEDULES_PROJECTION, ReportScheduleDocument, scheduleDocumentId } from './report-schedules.read-model';
import { requestScheduledReport, RUN_RECORD_REDECISIONS } from './scheduled-report-request';
import { localDateTimeOf, periodBefore } from './schedule-time';

/** How long a schedule change waits for the read model, so that the next read shows it. */
const PROJECTION_WAIT_MS = 5000;
/** Schedules one tenant may have. */
export const MAX_SCHEDULES_PER_TENANT = 500;

/** A schedule as the API shows it. */
export type ReportScheduleView = Omit<ReportSchedule, 'activeSince' | 'lastScheduledRunAt'> & { nextRunAt: string | null };

export function viewOf(schedule: ReportSchedule): ReportScheduleView {
  const { activeSince: _activeSince, lastScheduledRunAt: _lastScheduledRunAt, ...shown } = schedule;
  return { ...shown, nextRunAt: dueRunOf(schedule)?.toISOString() ?? null };
}

export interface ScheduleChange {
  schedule: ReportScheduleView | null;
  changes: AuditedChanges;
}

export interface RunNowResult {
  scheduleId: string;
  reportId: string;
  /** false: the period's report had been requested before (by the schedule or an earlier run); it is returned as is. */
  created: boolean;
  status: string;
  period: { from: string; to: string };
}

/** The report schedules of the caller's tenant (ARCHITECTURE §10). */
@Injectable()
export class ReportSchedulesService {
  private readonly logger = new Logger('ReportSchedules');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REPORT_SCHEDULE_CLOCK) private readonly clock: ReportScheduleClock,
    @Optional() @Inject(REPORT_REQUESTS) private readonly reports: ReportRequests | null,
    @Optional() @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsReader | null,
  ) {}

  async list(principal: Principal): Promise<ReportScheduleView[]> {
    const docs = (await this.store.find(REPORT_SCHEDULES, { tenantId: principal.tenantId }, { sort: [['createdAt', 1], ['scheduleId', 1]], limit: MAX_SCHEDULES_PER_TENANT, hint: 'by_tenant_created' })) as unknown as ReportScheduleDocument[];
    return docs.filter((d) => d.tenantId === principal.tenantId).map((d) => viewOf(d.schedule));
  }

  async get(principal: Principal, scheduleId: string): Promise<ReportScheduleView> {
    return viewOf(await this.current(principal, scheduleId));
  }

  async create(principal: Principal, body: unknown): Promise<ScheduleChange> {
    const definition = await this.acceptable(principal, body);
    const count = await this.store.count(REPORT_SCHEDULES, { tenantId: principal.tenantId });
    if (count >= MAX_SCHEDULES_PER_TENANT) throw new ReportScheduleRefusedError([{ path: '', message: `your tenant has ${MAX_SCHEDULES_PER_TENANT} schedules, the most it may have` }]);
    return this.change(principal, randomUUID(), { kind: 'create', definition });
  }

  async replace(principal: Principal, scheduleId: string, body: unknown): Promise<ScheduleChange> {
    await this.current(principal, scheduleId);
    return this.change(principal, scheduleId, { kind: 'replace', definition: await this.acceptable(principal, body) });
  }

  async remove(principal: Principal, scheduleId: string): Promise<ScheduleChange> {
    return this.change(principal, scheduleId, { kind: 'delete' });
  }

  /** Requests the last complete period (as of now, in the schedule's time zone) and records the run. */
  async runNow(principal: Principal, scheduleId: string): Promise<RunNowResult & { changes: AuditedChanges }> {
    const schedule = await this.current(principal, scheduleId);
    if (!this.reports) throw new ReportGenerationUnavailableError();
    const now = this.clock();
    const period = periodBefore(localDateTimeOf(now, schedule.timezone), schedule.frequency, schedule.timezone);
    const recorded: { command?: DecidedCommand<ReportScheduleState, ReportScheduleEvent> } = {};
    const record = async (command: ReportScheduleCommand) => (recorded.command = await this.decide(principal, scheduleId, command, RUN_RECORD_REDECISIONS));
    const { run, created } = await requestScheduledReport(this.reports, this.events, { tenantId: principal.tenantId, schedule, period, trigger: 'manual', scheduledFor: null, by: principal.subject, now }, record);
    const lastRunOf = (state: ReportScheduleState | undefined) => ({ lastRun: state?.status === 'active' ? (state.schedule.lastRun as unknown as Record<string, unknown> | null) : null });
    return {
      scheduleId,
      reportId: run.reportId,
      created,
      status: run.status,
      period: run.period,
      changes: { before: lastRunOf(recorded.command?.before), after: lastRunOf(recorded.command?.after) },
    };
  }

  /** The authoritative schedule (its stream), or 404. */
  private async current(principal: Principal, scheduleId: string): Promise<ReportSchedule> {
    const doc = (await this.store.findById(REPORT_SCHEDULES, scheduleDocumentId(principal.tenantId, scheduleId))) as ReportScheduleDocument | null;
    if (!doc || doc.tenantId !== principal.tenantId) throw new ReportScheduleNotFoundError(scheduleId);
    return doc.schedule;
  }

  /** A definition that is well-formed (400 otherwise) and that this service can carry out (422 otherwise). */
  private async acceptable(principal: Principal, body: unknown): Promise<ReportScheduleDefinition> {
    const timezone = this.tenantSettings ? await this.tenantSettings.timezoneOf(principal.tenantId) : DEFAULT_TENANT_TIMEZONE;
    const definition = scheduleDefinitionOf(body, timezone);
    const refusals: Array<{ path: string; message: string }> = [];
    if (definition.delivery.emails && !this.config.smtp.url) {
      refusals.push({ path: 'delivery.emails', message: 'cannot be delivered: e-mail delivery is not configured on this service (SMTP_URL is not set)' });
    }
    if (this.reports?.templateExists && !(await this.reports.templateExists(principal.tenantId, definition.templateId))) {
      refusals.push({ path: 'templateId', message: `no report template ${definition.templateId} in your tenant` });
    }
    if (refusals.length > 0) throw new ReportScheduleRefusedError(refusals);
    return definition;
  }

  private async change(principal: Principal, scheduleId: string, command: DistributiveOmit<ReportScheduleCommand, 'tenantId' | 'by' | 'now'>): Promise<ScheduleChange> {
    const result = await this.decide(principal, scheduleId, { ...command, tenantId: principal.tenantId, by: principal.subject, now: this.clock() } as ReportScheduleCommand);
    const shown = (state: ReportScheduleState) => (state.status === 'active' ? viewOf(state.schedule) : null);
    return { schedule: shown(result.after), changes: { before: shown(result.before) as Record<string, unknown> | null, after: shown(result.after) as Record<string, unknown> | null } };
  }

  private decide(principal: Principal, scheduleId: string, command: ReportScheduleCommand, redecideOnConflict = 0) {
    return decideAndProject(this.events, this.projections, principal, {
      stream: reportScheduleStreamOf(principal.tenantId, scheduleId),
      decider: reportScheduleDecider(scheduleId),
      decode: decodeReportScheduleEvent,
      command,
      projection: REPORT_SCHEDULES_PROJECTION,
      waitMs: PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { schedule: scheduleId },
      redecideOnConflict,
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { stateOfStream } from '../../event-sourcing/decider-stream';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { REPORT_REQUESTS, ReportRequests } from '../report-requests.port';
import { dueRunOf } from './report-schedule';
import { REPORT_SCHEDULE_CLOCK, ReportScheduleClock } from './report-schedule-clock';
import { reportScheduleStreamOf } from './report-schedule-stream';
import { reportScheduleDecider } from './report-schedule.decider';
import { decodeReportScheduleEvent } from './report-schedule.events';
import { REPORT_SCHEDULES, ReportScheduleDocument } from './report-schedules.read-model';
import { requestScheduledReport } from './scheduled-report-request';
import { periodOfRun } from './schedule-time';

/** Schedules looked at per tick (most overdue first); the rest wait for the next tick. */
const SCHEDULES_PER_TICK = 200;
/** Missed runs of one schedule requested per tick (a long downtime is caught up over a few ticks). */
const CATCH_UP_PER_TICK = 100;
const RUNNER = 'report-schedule-runner';

/**
 * Requests the report of every due run: at start (runs missed while the service was down are caught up,
 * oldest first) and then every REPORT_SCHEDULE_TICK_SECONDS. The read model only says which schedules
 * look due; the schedule stream decides, and each run is recorded once. Several instances may run this
 * at once: they ask for the same deterministic report ids, and only one records each run.
 */
@Injectable()
export class ReportScheduleRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReportScheduleRunner');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REPORT_SCHEDULE_CLOCK) private readonly clock: ReportScheduleClock,
    @Optional() @Inject(REPORT_REQUESTS) private readonly reports: ReportRequests | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.reports) {
      this.logger.debug({ msg: 'report generation is not part of this service: schedules are kept but not run' });
      return;
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.reportSchedules.tickMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Starts a pass unless one is running; returns the pass in progress. */
  tick(): Promise<void> {
    if (!this.running) this.running = this.runDue().finally(() => (this.running = undefined));
    return this.running;
  }

  /** One pass over the schedules whose due run is at or before now. */
  async runDue(now: Date = this.clock()): Promise<void> {
    if (!this.reports) return;
    const due = (await this.store.find(REPORT_SCHEDULES, { dueAt: { $lte: now.toISOString() } }, { sort: [['dueAt', 1]], limit: SCHEDULES_PER_TICK, hint: 'by_due' })) as unknown as ReportScheduleDocument[];
    for (const doc of due) {
      if (this.stopped) return;
      try {
        await this.runSchedule(doc.tenantId, doc.scheduleId, now);
      } catch (error) {
        this.logger.error({ msg: 'scheduled report request failed; retried on the next tick', tenantId: doc.tenantId, scheduleId: doc.scheduleId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Requests the due runs of one schedule up to `now`, oldest first; returns how many it requested. */
  async runSchedule(tenantId: string, scheduleId: string, now: Date): Promise<number> {
    const reports = this.reports!;
    const stream = reportScheduleStreamOf(tenantId, scheduleId);
    let requested = 0;
    while (requested < CATCH_UP_PER_TICK && !this.stopped) {
      const state = await stateOfStream(this.events, stream, reportScheduleDecider(scheduleId), decodeReportScheduleEvent);
      if (state.status !== 'active') return requested;
      const schedule = state.schedule;
      const dueAt = dueRunOf(schedule);
      if (!dueAt || dueAt.getTime() > now.getTime()) return requested;
      try {
        const { run, created } = await requestScheduledReport(reports, this.events, { tenantId, schedule, period: periodOfRun(dueAt, schedule), trigger: 'schedule', scheduledFor: dueAt, by: RUNNER, now });
        this.logger.log({ msg: created ? 'scheduled report requested' : 'scheduled report already requested', tenantId, scheduleId, reportId: run.reportId, period: run.period, dueAt: run.scheduledFor });
      } catch (error) {
        // Another instance recorded a run of this schedule between our read and our append: read again.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
      requested++;
    }
    return requested;
  }
}

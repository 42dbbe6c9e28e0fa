import { DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { ReportSchedule, ScheduleRun } from './report-schedule';

/** Stable, versioned event types of the report schedule aggregate (`schedule-<tenantId>-<encoded id>`). */
export const REPORT_SCHEDULE_CREATED = 'ReportScheduleCreated.v1';
export const REPORT_SCHEDULE_UPDATED = 'ReportScheduleUpdated.v1';
export const REPORT_SCHEDULE_DELETED = 'ReportScheduleDeleted.v1';
export const REPORT_SCHEDULE_RUN_REQUESTED = 'ReportScheduleRunRequested.v1';

interface Facts {
  tenantId: string;
  scheduleId: string;
  /** Token `sub` (or `schedule-runner`) and ISO 8601 UTC time. */
  by: string;
  at: string;
}

/** Every event but deletion carries the whole schedule as it is after the event. */
type WithSchedule = Facts & { schedule: ReportSchedule };

export type ReportScheduleCreated = DomainEvent<typeof REPORT_SCHEDULE_CREATED, WithSchedule>;
export type ReportScheduleUpdated = DomainEvent<typeof REPORT_SCHEDULE_UPDATED, WithSchedule>;
export type ReportScheduleDeleted = DomainEvent<typeof REPORT_SCHEDULE_DELETED, Facts & { version: number }>;
export type ReportScheduleRunRequested = DomainEvent<typeof REPORT_SCHEDULE_RUN_REQUESTED, WithSchedule & { run: ScheduleRun }>;
export type ReportScheduleEvent = ReportScheduleCreated | ReportScheduleUpdated | ReportScheduleDeleted | ReportScheduleRunRequested;

const TYPES: ReadonlySet<string> = new Set([REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_UPDATED, REPORT_SCHEDULE_DELETED, REPORT_SCHEDULE_RUN_REQUESTED]);

export function isReportScheduleEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

/** A recorded event of a schedule stream; an unknown type is an error, never skipped silently. */
export function decodeReportScheduleEvent(recorded: RecordedEvent): ReportScheduleEvent {
  if (!isReportScheduleEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in report schedule stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as ReportScheduleEvent;
}

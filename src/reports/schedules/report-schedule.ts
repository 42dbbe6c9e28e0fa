import { createHash } from 'node:crypto';
import { ReportDelivery, ReportFormat } from '../report-requests.port';
import { Frequency, nextRunAfter, Period, ScheduleTiming } from './schedule-time';

export const SCHEDULE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a client sets (POST, PUT). */
export interface ReportScheduleDefinition extends ScheduleTiming {
  /** Free text for people; the template's name is used when absent. */
  name?: string;
  templateId: string;
  frequency: Frequency;
  format: ReportFormat;
  parameters?: Record<string, unknown>;
  delivery: ReportDelivery;
  /** A disabled schedule keeps its definition and runs nothing; enabling it again does not catch up the periods in between. */
  enabled: boolean;
}

export interface ScheduleRun {
  reportId: string;
  period: Period;
  /** `schedule`: a due run; `manual`: POST /{id}/run. */
  trigger: 'schedule' | 'manual';
  /** The run time it was due at (scheduled runs only). */
  scheduledFor: string | null;
  requestedAt: string;
  requestedBy: string;
  /** The report's status when it was requested (the report itself has the current one). */
  status: string;
}

export interface ReportSchedule extends ReportScheduleDefinition {
  id: string;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  /** Runs are due after this instant: creation, or the last change of timing or of `enabled`. */
  activeSince: string;
  /** The last due run that was requested; due runs continue after it. */
  lastScheduledRunAt: string | null;
  lastRun: ScheduleRun | null;
}

/** The next due run: may be in the past while the service was down (caught up at start); null when disabled. */
export function dueRunOf(schedule: ReportSchedule): Date | null {
  if (!schedule.enabled) return null;
  const after = schedule.lastScheduledRunAt && schedule.lastScheduledRunAt > schedule.activeSince ? schedule.lastScheduledRunAt : schedule.activeSince;
  return nextRunAfter(new Date(after), schedule);
}

/**
 * The id of the report a schedule generates for a period: the same for every instance and every retry
 * (a UUID-shaped SHA-256 of tenant, schedule and period), so REPORT_REQUESTS generates the period once.
 */
export function scheduledReportIdOf(tenantId: string, scheduleId: string, period: Period): string {
  const hex = createHash('sha256').update(`report-schedule\n${tenantId}\n${scheduleId}\n${period.from}\n${period.to}`).digest('hex');
  // RFC 9562 layout with version 8 (custom, hash-based) and the RFC variant bits.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Fields whose change moves the schedule's run times: `activeSince` restarts at such a change. */
export function timingChanged(before: ReportScheduleDefinition, after: ReportScheduleDefinition): boolean {
  return (
    before.frequency !== after.frequency ||
    before.timezone !== after.timezone ||
    before.time !== after.time ||
    before.dayOfWeek !== after.dayOfWeek ||
    before.dayOfMonth !== after.dayOfMonth ||
    before.enabled !== after.enabled
  );
}

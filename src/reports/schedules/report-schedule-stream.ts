import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { SCHEDULE_ID_PATTERN } from './report-schedule';

/** `schedule-<tenantId>-<schedule id>` (a lower-case UUID; stream names escape its "-", ADR 004). */
export function reportScheduleStreamOf(tenantId: string, scheduleId: string): string {
  if (!SCHEDULE_ID_PATTERN.test(scheduleId)) throw new Error(`Invalid report schedule id "${scheduleId}"`);
  return aggregateStreamOf('schedule', tenantId, scheduleId);
}

export const REPORT_SCHEDULE_STREAM_PREFIX = aggregateStreamPrefix('schedule');

import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { SCHEDULE_ID_PATTERN } from './report-schedule';

/**
 * `schedule-<tenantId>-<encoded schedule id>`: schedule ids are lower-case UUIDs and stream ids may not
 * contain "-" (ADR 004), so "-" is written as "_", which a UUID never contains (one-to-one).
 */
export function reportScheduleStreamOf(tenantId: string, scheduleId: string): string {
  if (!SCHEDULE_ID_PATTERN.test(scheduleId)) throw new Error(`Invalid report schedule id "${scheduleId}"`);
  return aggregateStreamOf('schedule', tenantId, scheduleId.replace(/-/g, '_'));
}

export const REPORT_SCHEDULE_STREAM_PREFIX = aggregateStreamPrefix('schedule');

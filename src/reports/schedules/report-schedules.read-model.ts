import { CollectionDefinition } from '../../read-store/read-store.port';
import { ReportSchedule } from './report-schedule';

/** The schedules API's read model and the runner's index of due schedules. */
export const REPORT_SCHEDULES_PROJECTION = 'report_schedules';
export const REPORT_SCHEDULES = 'report_schedules';

export interface ReportScheduleDocument {
  /** `<tenantId>/<scheduleId>`: "/" occurs in neither. */
  id: string;
  tenantId: string;
  scheduleId: string;
  createdAt: string;
  /** ISO 8601 of the next due run (past while catching up); null when disabled. */
  dueAt: string | null;
  schedule: ReportSchedule;
}

export function scheduleDocumentId(tenantId: string, scheduleId: string): string {
  return `${tenantId}/${scheduleId}`;
}

export const REPORT_SCHEDULES_COLLECTION: CollectionDefinition = {
  name: REPORT_SCHEDULES,
  fields: { tenantId: 'string', scheduleId: 'string', createdAt: 'string', dueAt: 'string' },
  indexes: [
    { name: 'by_tenant_created', keys: [['tenantId', 1], ['createdAt', 1], ['scheduleId', 1]] },
    { name: 'by_due', keys: [['dueAt', 1]] },
  ],
};

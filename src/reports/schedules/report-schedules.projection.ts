import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../../projections/projection';
import { ReadModelProjection } from '../../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../../read-store/read-store.port';
import { dueRunOf } from './report-schedule';
import { REPORT_SCHEDULE_STREAM_PREFIX } from './report-schedule-stream';
import { decodeReportScheduleEvent, isReportScheduleEvent, REPORT_SCHEDULE_DELETED } from './report-schedule.events';
import { REPORT_SCHEDULES, REPORT_SCHEDULES_COLLECTION, REPORT_SCHEDULES_PROJECTION, ReportScheduleDocument, scheduleDocumentId } from './report-schedules.read-model';

/** One document per live schedule, as its last event left it, with its next due run. */
@ReadModelProjection()
@Injectable()
export class ReportSchedulesProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: REPORT_SCHEDULES_PROJECTION, version: 1, collections: [REPORT_SCHEDULES_COLLECTION] };
  readonly streamPrefixes = [REPORT_SCHEDULE_STREAM_PREFIX];

  apply(recorded: RecordedEvent, writer: ProjectionWriter): void {
    if (!isReportScheduleEvent(recorded)) return;
    const event = decodeReportScheduleEvent(recorded);
    const id = scheduleDocumentId(event.data.tenantId, event.data.scheduleId);
    if (event.type === REPORT_SCHEDULE_DELETED) return writer.delete(REPORT_SCHEDULES, id);
    const schedule = event.data.schedule;
    const doc: ReportScheduleDocument = { id, tenantId: event.data.tenantId, scheduleId: schedule.id, createdAt: schedule.createdAt, dueAt: dueRunOf(schedule)?.toISOString() ?? null, schedule };
    writer.put(REPORT_SCHEDULES, doc);
  }
}

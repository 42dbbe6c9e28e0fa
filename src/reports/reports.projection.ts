import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { decodeReportEvent, isReportEvent, REPORT_STREAM_PREFIX } from './generation/report.events';
import {
  REPORT_TEMPLATES,
  REPORT_TEMPLATES_COLLECTION,
  ReportDocument,
  reportDocumentId,
  REPORTS,
  REPORTS_COLLECTION,
  REPORTS_PROJECTION,
  ReportTemplateDocument,
  templateDocumentId,
} from './reports.read-model';
import { decodeTemplateEvent, REPORT_TEMPLATE_VERSION_CREATED, TEMPLATE_STREAM_PREFIX } from './templates/report-template.events';

/** Reports (one document per report) and tenants' configurable templates (one per template, every version). */
@ReadModelProjection()
@Injectable()
export class ReportsProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: REPORTS_PROJECTION, version: 1, collections: [REPORTS_COLLECTION, REPORT_TEMPLATES_COLLECTION] };
  readonly streamPrefixes = [REPORT_STREAM_PREFIX, TEMPLATE_STREAM_PREFIX];

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (recorded.type === REPORT_TEMPLATE_VERSION_CREATED) {
      const { data } = decodeTemplateEvent(recorded);
      const id = templateDocumentId(data.tenantId, data.templateId);
      const previous = (await writer.get(REPORT_TEMPLATES, id)) as unknown as ReportTemplateDocument | null;
      const versions = (previous?.versions ?? []).filter((v) => v.version !== data.version);
      const doc: ReportTemplateDocument = { id, tenantId: data.tenantId, templateId: data.templateId, versions: [...versions, { version: data.version, definition: data.definition, createdAt: data.at, createdBy: data.by }] };
      writer.put(REPORT_TEMPLATES, doc);
      return;
    }
    if (!isReportEvent(recorded)) return;
    const event = decodeReportEvent(recorded);
    const id = reportDocumentId(event.data.tenantId, event.data.reportId);
    if (event.type === 'ReportRequested.v1') {
      const r = event.data;
      const doc: ReportDocument = {
        id,
        tenantId: r.tenantId,
        reportId: r.reportId,
        sortKey: `${r.requestedAt}|${r.reportId}`,
        status: 'queued',
        template: r.template,
        period: r.period,
        format: r.format,
        parameters: r.parameters,
        requestedBy: r.requestedBy,
        scheduleId: r.scheduleId ?? null,
        delivery: r.delivery ?? null,
        requestedAt: r.requestedAt,
        headSequence: r.headSequence,
        headHash: r.headHash,
        attempts: 0,
        startedAt: null,
        completedAt: null,
        failedAt: null,
        failureReason: null,
        summary: null,
        evidence: null,
        file: null,
        populationSize: null,
        delivered: false,
      };
      writer.put(REPORTS, doc);
      return;
    }
    const previous = (await writer.get(REPORTS, id)) as unknown as ReportDocument | null;
    if (!previous) return;
    switch (event.type) {
      case 'ReportStarted.v1':
        writer.put(REPORTS, { ...previous, status: 'running', attempts: event.data.attempt, startedAt: event.data.at });
        return;
      case 'ReportCompleted.v1':
        writer.put(REPORTS, { ...previous, status: 'ready', completedAt: event.data.at, summary: event.data.summary, evidence: event.data.evidence, file: event.data.file, populationSize: event.data.populationSize });
        return;
      case 'ReportFailed.v1':
        writer.put(REPORTS, { ...previous, status: 'failed', failedAt: event.data.at, failureReason: event.data.reason });
        return;
      case 'ReportDelivered.v1':
        writer.put(REPORTS, { ...previous, delivered: true });
        return;
    }
  }
}

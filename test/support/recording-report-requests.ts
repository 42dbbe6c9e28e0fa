import { Global, Module } from '@nestjs/common';
import { REPORT_REQUESTS, ReportRequest, ReportRequests, ReportStatus } from '../../src/reports/report-requests.port';

/**
 * A REPORT_REQUESTS for tests: records every request and, like the real one, creates a report once per
 * id (a repeated id answers `created: false`). Templates named in `unknownTemplates` do not exist.
 */
export class RecordingReportRequests implements ReportRequests {
  readonly calls: Array<{ tenantId: string; request: ReportRequest }> = [];
  readonly created = new Map<string, { tenantId: string; request: ReportRequest }>();
  unknownTemplates = new Set<string>();

  async request(tenantId: string, request: ReportRequest): Promise<{ id: string; status: ReportStatus; created: boolean }> {
    this.calls.push({ tenantId, request });
    // Let concurrent callers interleave, as a real store round trip would.
    await new Promise((resolve) => setImmediate(resolve));
    const key = `${tenantId}/${request.id}`;
    if (this.created.has(key)) return { id: request.id, status: 'queued', created: false };
    this.created.set(key, { tenantId, request });
    return { id: request.id, status: 'queued', created: true };
  }

  async templateExists(_tenantId: string, templateId: string): Promise<boolean> {
    return !this.unknownTemplates.has(templateId);
  }
}

/** Provides `reports` as REPORT_REQUESTS to the whole app (the reports module is not part of it here). */
export function recordingReportRequestsModule(reports: RecordingReportRequests) {
  @Global()
  @Module({ providers: [{ provide: REPORT_REQUESTS, useValue: reports }], exports: [REPORT_REQUESTS] })
  class RecordingReportRequestsModule {}
  return RecordingReportRequestsModule;
}

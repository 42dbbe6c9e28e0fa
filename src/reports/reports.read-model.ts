import { CollectionDefinition } from '../read-store/read-store.port';
import { ReportDelivery, ReportFormat, ReportStatus } from './report-requests.port';
import { ReportEvidence, ReportFileInfo, ReportTemplateRef } from './generation/report.events';
import { SummaryFigure } from './templates/report-template';
import { TemplateDefinition } from './templates/configurable-template';

export const REPORTS_PROJECTION = 'reports';
export const REPORTS = 'reports';
export const REPORT_TEMPLATES = 'report_templates';

/** One document per report, as its last event left it. */
export interface ReportDocument {
  /** `<tenantId>/<reportId>`. */
  id: string;
  tenantId: string;
  reportId: string;
  /** `<requestedAt>|<reportId>`: newest-first listing and its cursor. */
  sortKey: string;
  status: ReportStatus;
  template: ReportTemplateRef;
  period: { from: string; to: string; timezone: string };
  format: ReportFormat;
  parameters: Record<string, unknown>;
  requestedBy: string;
  scheduleId: string | null;
  delivery: ReportDelivery | null;
  requestedAt: string;
  headSequence: number;
  headHash: string;
  attempts: number;
  startedAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
  failureReason: string | null;
  summary: SummaryFigure[] | null;
  evidence: ReportEvidence | null;
  file: ReportFileInfo | null;
  populationSize: number | null;
  /** False until the delivery of a ready report has been attempted and recorded. */
  delivered: boolean;
}

/** A tenant's configurable template: every version (reports name the version they used). */
export interface ReportTemplateDocument {
  /** `<tenantId>/<templateId>`. */
  id: string;
  tenantId: string;
  templateId: string;
  versions: Array<{ version: number; definition: TemplateDefinition; createdAt: string; createdBy: string }>;
}

export const reportDocumentId = (tenantId: string, reportId: string) => `${tenantId}/${reportId}`;
export const templateDocumentId = (tenantId: string, templateId: string) => `${tenantId}/${templateId}`;

export const REPORTS_COLLECTION: CollectionDefinition = {
  name: REPORTS,
  fields: { tenantId: 'string', reportId: 'string', sortKey: 'string', status: 'string', delivered: 'boolean', 'template.id': 'string' },
  indexes: [
    { name: 'by_tenant_time', keys: [['tenantId', 1], ['sortKey', -1]] },
    { name: 'by_status', keys: [['status', 1], ['sortKey', 1]] },
  ],
};

export const REPORT_TEMPLATES_COLLECTION: CollectionDefinition = {
  name: REPORT_TEMPLATES,
  fields: { tenantId: 'string', templateId: 'string' },
  indexes: [{ name: 'by_tenant_template', keys: [['tenantId', 1], ['templateId', 1]], unique: true }],
};

/**
 * How report schedules ask for a report (ARCHITECTURE §10). The generation module implements it; the
 * schedules module calls it with a deterministic id per schedule and period, so a period asked for twice
 * (two instances, a restart) is generated once.
 */
export const REPORT_REQUESTS = Symbol('REPORT_REQUESTS');

export type ReportFormat = 'pdf' | 'csv';
export type ReportStatus = 'queued' | 'running' | 'ready' | 'failed';

export interface ReportDelivery {
  /** Notify the tenant's alert recipients when ready. */
  notify: boolean;
  /** Send `report.ready` to these webhook endpoints. */
  webhookIds?: string[];
  /** E-mail the report to these addresses (SMTP_URL). */
  emails?: string[];
}

export interface ReportRequest {
  /** Deterministic for scheduled runs ([A-Za-z0-9_-], 1-128); a request with an existing id returns that report unchanged. */
  id: string;
  templateId: string;
  /** Default: the template's latest version. */
  templateVersion?: number;
  from: string;
  to: string;
  timezone: string;
  format: ReportFormat;
  parameters?: Record<string, unknown>;
  /** Token `sub`, or `schedule:<scheduleId>`. */
  requestedBy: string;
  scheduleId?: string;
  delivery?: ReportDelivery;
}

export interface ReportRequests {
  request(tenantId: string, request: ReportRequest): Promise<{ id: string; status: ReportStatus; created: boolean }>;
  /** Whether the tenant can generate reports from this template (built-in or its own); schedules check it at creation. */
  templateExists?(tenantId: string, templateId: string): Promise<boolean>;
}

/** E-mail delivery of a ready report (SMTP_URL). Implemented by the schedules module. */
export const REPORT_MAILER = Symbol('REPORT_MAILER');

export interface ReportMail {
  to: string[];
  subject: string;
  text: string;
  attachment: { filename: string; contentType: string; content: Buffer };
}

export interface ReportMailer {
  send(mail: ReportMail): Promise<void>;
}

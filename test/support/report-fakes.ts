import { NotificationDraft, Notifications } from '../../src/notifications/notifications.port';
import { REPORT_PDF_RENDERER, ReportDocument, ReportPdfRenderer } from '../../src/reports/rendering/report-document';
import { REPORT_MAILER, ReportMail, ReportMailer } from '../../src/reports/report-requests.port';
import { WEBHOOK_EVENTS, WebhookEventDraft, WebhookEvents } from '../../src/webhooks/webhook-events.port';
import { ProviderOverride } from './test-app';

/**
 * Recording fakes of the ports the reports module consumes (tests only): the PDF renderer answers a
 * small PDF-like file naming the figures, so that a test can tell which document it was given.
 * `reportPortOverrides` puts them in place of the real renderer, webhook publisher and mailer; the
 * notification centre is the real one.
 */
export class RecordingReportPorts implements ReportPdfRenderer, Notifications, WebhookEvents, ReportMailer {
  readonly rendered: ReportDocument[] = [];
  readonly notifications: Array<{ tenantId: string; draft: NotificationDraft }> = [];
  readonly webhooks: Array<{ tenantId: string; draft: WebhookEventDraft }> = [];
  readonly mails: ReportMail[] = [];

  async render(document: ReportDocument): Promise<Buffer> {
    this.rendered.push(document);
    return Buffer.from(`%PDF-1.7\n% fake for tests: ${document.template.id} ${document.summary.map((f) => `${f.name}=${f.value}`).join(' ')}\n%%EOF\n`, 'utf8');
  }

  async publish(tenantId: string, draft: NotificationDraft | WebhookEventDraft): Promise<void> {
    if ('kind' in draft) this.notifications.push({ tenantId, draft });
    else this.webhooks.push({ tenantId, draft });
  }

  async send(mail: ReportMail): Promise<void> {
    this.mails.push(mail);
  }
}

/** The app's renderer, webhook publisher and mailer replaced by the recording fakes (createTestApp `overrides`). */
export function reportPortOverrides(ports: RecordingReportPorts): ProviderOverride[] {
  return [REPORT_PDF_RENDERER, WEBHOOK_EVENTS, REPORT_MAILER].map((provide) => ({ provide, useValue: ports }));
}

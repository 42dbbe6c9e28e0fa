import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { NOTIFICATIONS, Notifications } from '../../notifications/notifications.port';
import { WEBHOOK_EVENTS, WebhookEvents } from '../../webhooks/webhook-events.port';
import { REPORT_MAILER, ReportMailer } from '../report-requests.port';
import { REPORT_FILE_STORE, ReportFileStore } from '../storage/report-file-store.port';
import { ReportCompleted, ReportDelivered, ReportRequestedData } from './report.events';

/** Largest report attached to an e-mail; larger ones are announced by notification or webhook only. */
export const MAX_MAIL_ATTACHMENT_BYTES = 20 * 1024 * 1024;

type Channel = ReportDelivered['data']['channels'][number];

/**
 * Announces a ready report: a notification (when the request asked for one), `report.ready` to the
 * webhook endpoints subscribed to it (only the named ones when the request names some), and an e-mail
 * with the file attached (when the request lists addresses). Each channel is a port; one that this
 * instance does not provide is skipped. Every publish is keyed by the report id, so a repeated
 * delivery (after a crash) creates nothing twice.
 */
@Injectable()
export class ReportDeliverer {
  private readonly logger = new Logger('ReportDelivery');

  constructor(
    @Inject(REPORT_FILE_STORE) private readonly files: ReportFileStore,
    @Optional() @Inject(NOTIFICATIONS) private readonly notifications: Notifications | null,
    @Optional() @Inject(WEBHOOK_EVENTS) private readonly webhooks: WebhookEvents | null,
    @Optional() @Inject(REPORT_MAILER) private readonly mailer: ReportMailer | null,
  ) {}

  async deliver(request: ReportRequestedData, completed: ReportCompleted['data']): Promise<Channel[]> {
    const { tenantId, reportId } = request;
    const link = `/v1/reports/${reportId}`;
    const title = `${request.template.name}: ${request.period.from.slice(0, 10)} to ${request.period.to.slice(0, 10)} (${request.format.toUpperCase()}) is ready`;
    const channels: Channel[] = [];
    const attempt = async (channel: Channel['channel'], send: () => Promise<void>) => {
      try {
        await send();
        channels.push({ channel, ok: true });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        this.logger.warn({ msg: 'report delivery failed', channel, tenantId, reportId, error: detail });
        channels.push({ channel, ok: false, detail });
      }
    };

    if (request.delivery?.notify) {
      if (!this.notifications) this.logger.debug({ msg: 'no notification centre on this instance: report notification skipped', tenantId, reportId });
      else await attempt('notification', () => this.notifications!.publish(tenantId, { kind: 'report', title, link, reportId, key: `report-ready:${reportId}`, occurredAt: completed.at }));
    }

    if (!this.webhooks) this.logger.debug({ msg: 'no webhook dispatcher on this instance: report.ready skipped', tenantId, reportId });
    else
      await attempt('webhook', () =>
        this.webhooks!.publish(tenantId, {
          type: 'report.ready',
          key: reportId,
          ...(request.delivery?.webhookIds?.length ? { endpointIds: request.delivery.webhookIds } : {}),
          data: {
            reportId,
            template: { ...request.template },
            period: { ...request.period },
            format: request.format,
            status: 'ready',
            ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
            links: { self: link, download: `${link}/download`, verify: `${link}/verify` },
            summary: completed.summary.map((f) => ({ ...f })),
            evidence: { ...completed.evidence, signature: { ...completed.evidence.signature } },
          },
        }),
      );

    const emails = request.delivery?.emails ?? [];
    if (emails.length > 0) {
      if (!this.mailer) this.logger.debug({ msg: 'no mailer on this instance: report e-mail skipped', tenantId, reportId });
      else
        await attempt('email', async () => {
          if (completed.file.bytes > MAX_MAIL_ATTACHMENT_BYTES) throw new Error(`the file has ${completed.file.bytes} bytes, more than the ${MAX_MAIL_ATTACHMENT_BYTES} an e-mail carries; download it from ${link}/download`);
          const stream = await this.files.open(completed.file.key);
          if (!stream) throw new Error('the report file is missing from storage');
          const parts: Buffer[] = [];
          for await (const part of stream) parts.push(part as Buffer);
          await this.mailer!.send({
            to: emails,
            subject: title,
            text: [
              title,
              '',
              ...completed.summary.map((f) => `${f.label}: ${f.value}`),
              '',
              `File SHA-256: ${completed.evidence.fileSha256}`,
              `Ed25519 signature (key ${completed.evidence.signature.keyId}): ${completed.evidence.signature.value}`,
              `Verify: GET ${link}/verify; public key: GET /v1/reports/signing-key`,
            ].join('\n'),
            attachment: { filename: completed.file.filename, contentType: completed.file.contentType, content: Buffer.concat(parts) },
          });
        });
    }
    return channels;
  }
}

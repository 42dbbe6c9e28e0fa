import { Logger, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { ReportMail, ReportMailer } from '../report-requests.port';

/** E-mail delivery was asked for but SMTP_URL is not set (schedules refuse such a delivery up front). */
export class EmailDeliveryNotConfiguredError extends Error {
  constructor() {
    super('E-mail delivery is not configured on this service (SMTP_URL is not set)');
    this.name = 'EmailDeliveryNotConfiguredError';
  }
}

export interface SmtpSettings {
  /** smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://... (TLS from the start); absent: no e-mail. */
  url?: string;
  from: string;
  /** Longest wait for the server (connect, greeting, each reply). */
  timeoutMs?: number;
}

/**
 * REPORT_MAILER over SMTP (nodemailer): one message per ready report with the file attached. A send that
 * the server refuses, or that times out, rejects; the caller decides about retries.
 */
export class SmtpReportMailer implements ReportMailer, OnApplicationShutdown {
  private readonly logger = new Logger('SmtpReportMailer');
  private readonly transport: Transporter | null;

  constructor(private readonly settings: SmtpSettings) {
    const timeout = settings.timeoutMs ?? 30_000;
    this.transport = settings.url ? nodemailer.createTransport({ url: settings.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }) : null;
  }

  /** Whether e-mail delivery is possible at all (SMTP_URL set). */
  get configured(): boolean {
    return this.transport !== null;
  }

  async send(mail: ReportMail): Promise<void> {
    if (!this.transport) throw new EmailDeliveryNotConfiguredError();
    if (mail.to.length === 0) return;
    const info = await this.transport.sendMail({
      from: this.settings.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachments: [{ filename: mail.attachment.filename, contentType: mail.attachment.contentType, content: mail.attachment.content }],
    });
    this.logger.log({ msg: 'report e-mailed', messageId: info.messageId, recipients: mail.to.length, rejected: info.rejected?.length ?? 0, attachment: mail.attachment.filename, bytes: mail.attachment.content.length });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

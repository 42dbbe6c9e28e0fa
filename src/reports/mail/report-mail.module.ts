import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { REPORT_MAILER } from '../report-requests.port';
import { SmtpReportMailer } from './smtp-report-mailer';

/** REPORT_MAILER for report delivery by e-mail (SMTP_URL, SMTP_FROM). */
@Global()
@Module({
  providers: [{ provide: REPORT_MAILER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SmtpReportMailer({ url: config.smtp.url, from: config.smtp.from }) }],
  exports: [REPORT_MAILER],
})
export class ReportMailModule {}

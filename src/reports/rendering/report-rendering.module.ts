import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { ChromiumBrowser, chromiumExecutable } from './chromium-browser';
import { PuppeteerReportPdfRenderer } from './puppeteer-report-pdf.renderer';
import { REPORT_PDF_RENDERER } from './report-document';

/**
 * REPORT_PDF_RENDERER for the report generator: Handlebars → HTML → one reused headless Chromium with a
 * bounded page pool (REPORT_PDF_MAX_PAGES). Chromium starts on the first render, not at boot, and is closed
 * on app shutdown (the provider's OnApplicationShutdown).
 */
@Global()
@Module({
  providers: [
    {
      provide: REPORT_PDF_RENDERER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PuppeteerReportPdfRenderer(new ChromiumBrowser({ maxPages: config.reportPdf.maxPages, executablePath: chromiumExecutable() }), { timeoutMs: config.reportPdf.timeoutMs }),
    },
  ],
  exports: [REPORT_PDF_RENDERER],
})
export class ReportRenderingModule {}

import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Page } from 'puppeteer';
import { ChromiumBrowser } from './chromium-browser';
import { ReportDocument, ReportPdfRenderer } from './report-document';
import { reportHtmlOf } from './report-html';

export interface PdfRenderOptions {
  /** Longest one render may take (a 2,000-row × 3 section report takes a few seconds). */
  timeoutMs: number;
}

/** The page may load nothing but the document itself and inline data. */
const ALLOWED_URL = /^(about:blank|data:)/;

/**
 * ReportDocument → HTML (Handlebars) → PDF (Chromium's print engine). The page runs without JavaScript and
 * every network request is aborted: a report shows only what the document holds. A render that fails
 * because Chromium died under it is tried once more on a new browser.
 */
export class PuppeteerReportPdfRenderer implements ReportPdfRenderer, OnApplicationShutdown {
  private readonly logger = new Logger('ReportPdfRenderer');

  constructor(
    private readonly browser: ChromiumBrowser,
    private readonly options: PdfRenderOptions,
  ) {}

  async render(document: ReportDocument): Promise<Buffer> {
    const html = reportHtmlOf(document);
    try {
      return await this.browser.withPage((page) => this.print(page, html));
    } catch (error) {
      if (!isBrowserGone(error)) throw error;
      this.logger.warn({ msg: 'Chromium went away during a render; rendering again on a new browser', error: String(error) });
      return this.browser.withPage((page) => this.print(page, html));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.browser.close();
  }

  private async print(page: Page, html: ReturnType<typeof reportHtmlOf>): Promise<Buffer> {
    page.setDefaultTimeout(this.options.timeoutMs);
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      if (ALLOWED_URL.test(request.url())) void request.continue();
      else void request.abort('blockedbyclient');
    });
    await page.setContent(html.body, { waitUntil: 'load', timeout: this.options.timeoutMs });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: html.header,
      footerTemplate: html.footer,
      margin: { top: '20mm', bottom: '18mm', left: '16mm', right: '16mm' },
      // Untagged: a tagged (PDF/UA structure tree) 2,000-row × 3 report is ~15× larger (13.6 MB vs 0.9 MB) and slower; text extraction works either way (ADR 023).
      tagged: false,
      outline: false,
      timeout: this.options.timeoutMs,
    });
    return Buffer.from(pdf);
  }
}

function isBrowserGone(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /Target closed|TargetCloseError|Connection closed|Session closed|Protocol error.*(closed|detached)|Browser (has )?disconnected|Navigating frame was detached/i.test(text);
}

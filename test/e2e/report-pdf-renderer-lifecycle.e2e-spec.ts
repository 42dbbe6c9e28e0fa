import { REPORT_PDF_RENDERER, ReportPdfRenderer } from '../../src/reports/rendering/report-document';
import { PuppeteerReportPdfRenderer } from '../../src/reports/rendering/puppeteer-report-pdf.renderer';
import { reportDocumentOf } from '../support/report-document.factory';
import { pdfText } from '../support/pdf-text';
import { createTestApp } from '../support/test-app';

jest.setTimeout(60_000);

describe('Report PDF renderer in the app', () => {
  it('is provided as REPORT_PDF_RENDERER, renders, and its Chromium is gone after app.close()', async () => {
    const app = await createTestApp();
    const renderer = app.app.get<ReportPdfRenderer>(REPORT_PDF_RENDERER);
    expect(renderer).toBeInstanceOf(PuppeteerReportPdfRenderer);
    expect(pdfText(await renderer.render(reportDocumentOf({ sections: [] })))).toContain('Page 1 of');
    const pid = (await (renderer as unknown as { browser: { pid(): Promise<number> } }).browser.pid())!;
    await app.close();
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});

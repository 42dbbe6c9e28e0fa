import { writeFileSync } from 'node:fs';
import { ChromiumBrowser, chromiumExecutable } from '../src/reports/rendering/chromium-browser';
import { PuppeteerReportPdfRenderer } from '../src/reports/rendering/puppeteer-report-pdf.renderer';
import { reportDocumentOf } from '../test/support/report-document.factory';
(async () => {
  const r = new PuppeteerReportPdfRenderer(new ChromiumBrowser({ maxPages: 2, executablePath: chromiumExecutable() }), { timeoutMs: 60000 });
  const t = Date.now();
  const pdf = await r.render(reportDocumentOf());
  writeFileSync('/tmp/pdfsched/r.pdf', pdf);
  console.log(pdf.length, Date.now() - t);
  await r.onApplicationShutdown();
})();

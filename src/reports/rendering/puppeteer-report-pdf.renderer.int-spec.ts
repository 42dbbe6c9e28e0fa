import { ChromiumBrowser, chromiumExecutable } from './chromium-browser';
import { PuppeteerReportPdfRenderer } from './puppeteer-report-pdf.renderer';
import { PDF_MAX_ROWS_PER_SECTION } from './report-document';
import { reportDocumentOf, sectionOf } from '../../../test/support/report-document.factory';
import { pdfPages, pdfText } from '../../../test/support/pdf-text';

jest.setTimeout(120_000);

describe(PuppeteerReportPdfRenderer.name, () => {
  let browser: ChromiumBrowser;
  let renderer: PuppeteerReportPdfRenderer;

  beforeAll(() => {
    browser = new ChromiumBrowser({ maxPages: 2, executablePath: chromiumExecutable() });
    renderer = new PuppeteerReportPdfRenderer(browser, { timeoutMs: 90_000 });
  });
  afterAll(() => renderer.onApplicationShutdown());

  it('renders a PDF whose text holds the cover, the summary figures, the evidence and "Page 1 of N" in the footer', async () => {
    const pdf = await renderer.render(reportDocumentOf());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdfPages(pdf);
    const text = pages.join('\n');
    expect(pages[0]).toContain('SOX Privileged Access Review');
    expect(pages[0]).toContain('sox-privileged-access');
    expect(pages[0]).toContain('2026-03-01 00:00 (UTC+01:00)');
    expect(pages[0]).toContain('Europe/Berlin');
    expect(pages[0]).toContain('schedule:monthly-sox');
    expect(pages[0]).toContain(`Page 1 of ${pages.length}`);
    expect(pages[pages.length - 1]).toContain(`Page ${pages.length} of ${pages.length}`);
    for (const figure of ['48,213', 'Privileged events', 'Distinct privileged actors', '359']) expect(pages[1]).toContain(figure);
    const evidence = pages[pages.length - 1];
    expect(evidence).toContain('Evidence');
    expect(evidence).toContain('1204331');
    expect(evidence.replace(/\s/g, '')).toContain('9b2f6c0e4d1a7b38c5e2f90d6a4b1c7e8f3d2a5b6c7d8e9f0a1b2c3d4e5f6a7b');
    expect(evidence).toContain('ed25519:4f2c9a1b');
    expect(evidence).toContain('fileSha256');
    expect(text).toContain('Tenant acme');
  });

  it('breaks a 2,000-row section over many pages and repeats its column headers on each of them', async () => {
    const doc = reportDocumentOf({ sections: [sectionOf('Privileged actions', PDF_MAX_ROWS_PER_SECTION, 5_123)] });
    const pages = pdfPages(await renderer.render(doc));
    const sectionPages = pages.filter((p) => p.includes('INV-2'));
    expect(sectionPages.length).toBeGreaterThan(30);
    for (const page of sectionPages) expect(page).toContain('Occurred at');
    expect(pages.join('\n')).toContain('first 2,000 of 5,123 rows');
    // The last row is there: nothing was cut off.
    expect(pages.join('\n')).toContain(`INV-${20000 + PDF_MAX_ROWS_PER_SECTION - 1}`);
  });

  it('escapes document texts: markup in a cell is printed as text, not interpreted', async () => {
    const section = sectionOf('Injected', 1);
    section.rows[0].actor = '<b>bold</b><img src="http://127.0.0.1:9/x">';
    const text = pdfText(await renderer.render(reportDocumentOf({ sections: [section] })));
    expect(text).toContain('<b>bold</b><img src="http://127.0.0.1:9/x">');
  });

  it('starts a new Chromium when the running one was killed, and the next render succeeds', async () => {
    await renderer.render(reportDocumentOf({ sections: [] }));
    const pid = (await browser.pid())!;
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid);
    const pdf = await renderer.render(reportDocumentOf({ sections: [] }));
    expect(pdfText(pdf)).toContain('Evidence');
    const next = await browser.pid();
    expect(next).toBeDefined();
    expect(next).not.toBe(pid);
  });

  it('keeps at most maxPages (2) pages open: a third concurrent render starts only after one of the first two ended', async () => {
    const log: string[] = [];
    const releases: Array<() => void> = [];
    let twoStarted!: () => void;
    const bothStarted = new Promise<void>((resolve) => (twoStarted = resolve));
    const works = [0, 1, 2].map((i) =>
      browser.withPage(async () => {
        log.push(`start ${i}`);
        if (log.filter((e) => e.startsWith('start')).length === 2) twoStarted();
        await new Promise<void>((resolve) => releases.push(resolve));
        log.push(`end ${i}`);
      }),
    );
    await bothStarted;
    // Time enough for a third page to open if the pool let it (opening a page takes a few ms).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.filter((e) => e.startsWith('start'))).toHaveLength(2);
    releases[0]();
    while (releases.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    releases[1]();
    releases[2]();
    await Promise.all(works);
    expect(log.indexOf('start 2')).toBeGreaterThan(log.findIndex((e) => e.startsWith('end')));
  });
});

async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`process ${pid} did not exit`);
}

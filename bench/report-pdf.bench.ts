/**
 * Report PDF rendering (issue 9 item 3): seconds to render a report with 3 sections of 2,000 rows each
 * (the most a PDF section shows), and the peak RSS of this process and of the Chromium process tree.
 * Usage: npx ts-node --transpile-only bench/report-pdf.bench.ts   env RUNS (5), SECTIONS (3), ROWS (2000)
 * The first render includes Chromium's start; the following ones reuse the browser, as the service does.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ChromiumBrowser, chromiumExecutable } from '../src/reports/rendering/chromium-browser';
import { PuppeteerReportPdfRenderer } from '../src/reports/rendering/puppeteer-report-pdf.renderer';
import { reportDocumentOf, sectionOf } from '../test/support/report-document.factory';

const RUNS = Number(process.env.RUNS ?? 5);
const SECTIONS = Number(process.env.SECTIONS ?? 3);
const ROWS = Number(process.env.ROWS ?? 2000);

/**
 * Memory (MiB) of a process and all its descendants, from /proc: the sum of RSS (counts pages shared
 * between Chromium's processes once per process) and of PSS (shares them out: what the tree really costs).
 */
function treeMemoryMb(rootPid: number): { rss: number; pss: number } {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let rssKb = 0;
  let pssKb = 0;
  const visit = (pid: number) => {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssKb += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return { rss: rssKb / 1024, pss: pssKb / 1024 };
}

async function main(): Promise<void> {
  const browser = new ChromiumBrowser({ maxPages: 2, executablePath: chromiumExecutable() });
  const renderer = new PuppeteerReportPdfRenderer(browser, { timeoutMs: 600_000 });
  const doc = reportDocumentOf({ sections: Array.from({ length: SECTIONS }, (_, i) => sectionOf(`Section ${i + 1}`, ROWS, ROWS * 3)) });
  let peakNode = 0;
  let peakChromium = { rss: 0, pss: 0 };
  let chromiumPid: number | undefined;
  const sampler = setInterval(() => {
    peakNode = Math.max(peakNode, process.memoryUsage().rss / 1048576);
    if (chromiumPid) {
      const now = treeMemoryMb(chromiumPid);
      peakChromium = { rss: Math.max(peakChromium.rss, now.rss), pss: Math.max(peakChromium.pss, now.pss) };
    }
  }, 50);
  const seconds: number[] = [];
  let bytes = 0;
  let pages = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const rendering = renderer.render(doc);
    if (!chromiumPid) chromiumPid = await browser.pid();
    const pdf = await rendering;
    seconds.push((performance.now() - started) / 1000);
    bytes = pdf.length;
    if (run === 0) {
      fs.writeFileSync('/tmp/report-pdf-bench.pdf', pdf);
      pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['/tmp/report-pdf-bench.pdf'], { encoding: 'utf8' }))?.[1] ?? 0);
    }
  }
  clearInterval(sampler);
  await renderer.onApplicationShutdown();
  const warm = seconds.slice(1).sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  console.log(
    JSON.stringify(
      {
        sections: SECTIONS,
        rowsPerSection: ROWS,
        pages,
        pdfBytes: bytes,
        firstRenderSeconds: round(seconds[0]),
        warmRenderSecondsMedian: warm.length ? round(warm[Math.floor(warm.length / 2)]) : null,
        warmRenderSecondsMax: warm.length ? round(warm[warm.length - 1]) : null,
        peakMb: { nodeRss: Math.round(peakNode), chromiumTreeRss: Math.round(peakChromium.rss), chromiumTreePss: Math.round(peakChromium.pss) },
        loadAverage1m: Math.round(os.loadavg()[0] * 10) / 10,
      },
      null,
      2,
    ),
  );
}

void main();

import puppeteer from 'puppeteer';
import { reportHtmlOf } from '../src/reports/rendering/report-html';
import { reportDocumentOf, sectionOf } from '../test/support/report-document.factory';
(async () => {
  const variant = process.argv[2] ?? 'base';
  const doc = reportDocumentOf({ sections: [1, 2, 3].map((i) => sectionOf(`S${i}`, 2000)) });
  let html = reportHtmlOf(doc);
  if (variant === 'nozebra') html = { ...html, body: html.body.replace('table.rows tbody tr:nth-child(even) td { background: #f6f8fb; }', '') };
  if (variant === 'nobreak') html = { ...html, body: html.body.replace('table.rows tr { break-inside: avoid; }', '') };
  if (variant === 'nofooter') html = { ...html, header: '<span></span>', footer: '<span></span>' };
  const marginBoxes = variant.startsWith('mb');
  if (marginBoxes) html = { ...html, body: html.body.replace('</style>', `@page { size: A4; margin: 20mm 16mm 18mm 16mm;
    @top-left { content: "SOX Privileged Access Review"; font: 600 7.5pt 'Liberation Sans'; color: #1f2a44; border-bottom: 0.6px solid #c9d0dc; vertical-align: bottom; padding-bottom: 1.5mm; }
    @top-right { content: "Tenant acme · 1 Mar 2026 – 31 Mar 2026 (Europe/Berlin)"; font: 7.5pt 'Liberation Sans'; color: #6b7588; border-bottom: 0.6px solid #c9d0dc; vertical-align: bottom; padding-bottom: 1.5mm; }
    @bottom-left { content: "sox-privileged-access v1 · report rep_1 · generated 2026-04-01T04:00:12.345Z"; font: 7.5pt 'Liberation Sans'; color: #6b7588; border-top: 0.6px solid #c9d0dc; vertical-align: top; padding-top: 1.5mm; }
    @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt 'Liberation Sans'; color: #6b7588; border-top: 0.6px solid #c9d0dc; vertical-align: top; padding-top: 1.5mm; }
  }</style>`) };
  const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const p = await b.newPage();
  let t = Date.now();
  await p.setContent(html.body, { waitUntil: 'load' });
  const tSet = Date.now() - t;
  t = Date.now();
  const pdf = await p.pdf({ format: 'A4', printBackground: true, displayHeaderFooter: variant !== 'nohf' && !marginBoxes, preferCSSPageSize: marginBoxes, headerTemplate: html.header, footerTemplate: html.footer, margin: { top: '20mm', bottom: '18mm', left: '16mm', right: '16mm' }, timeout: 0, tagged: !variant.includes('untagged') });
  require('fs').writeFileSync('/tmp/pdfsched/'+variant+'.pdf', pdf); console.log(variant, 'html', html.body.length, 'setContent', tSet, 'pdf', Date.now() - t, 'bytes', pdf.length);
  await b.close();
})();

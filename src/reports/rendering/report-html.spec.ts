import { reportDocumentOf, sectionOf } from '../../../test/support/report-document.factory';
import { reportHtmlOf } from './report-html';
import { formatInstant } from './report-view';
import { activityPerDayChart, niceAxis, topActorsChart } from './svg-charts';

describe(reportHtmlOf.name, () => {
  it('is self-contained: a CSP that forbids every fetch, no script, no external URL', () => {
    const { body } = reportHtmlOf(reportDocumentOf());
    expect(body).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"`);
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('escapes every text of the document, in the body, the header and the footer', () => {
    const section = sectionOf('Rows', 1);
    section.rows[0].actor = '<img src=x onerror=alert(1)>';
    const { body, header, footer } = reportHtmlOf(reportDocumentOf({ tenantId: 't<b>', reportId: 'r"1', sections: [section], charts: { activityPerDay: [], topActors: [{ actorId: '<svg onload=x>', count: 1 }] } }));
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(body).not.toContain('<svg onload');
    expect(header).toContain('t&lt;b&gt;');
    expect(footer).toContain('r&quot;1');
  });

  it('has one table per section with a header row, and says when a section shows only its first rows', () => {
    const { body } = reportHtmlOf(reportDocumentOf({ sections: [sectionOf('Big', 3, 7_500), sectionOf('Empty', 0)] }));
    expect(body.match(/<thead>/g)).toHaveLength(1);
    expect(body).toContain('first 3 of 7,500 rows');
    expect(body).toContain('No rows in the period.');
  });

  it('numbers the chapters: summary 1, sections from 2, evidence last', () => {
    const { body } = reportHtmlOf(reportDocumentOf({ sections: [sectionOf('A', 1), sectionOf('B', 1)] }));
    expect(body).toContain('1. Summary');
    expect(body).toContain('2. A');
    expect(body).toContain('3. B');
    expect(body).toContain('4. Evidence');
  });

  it('puts "Page X of Y" placeholders in the footer for Chromium to fill', () => {
    expect(reportHtmlOf(reportDocumentOf()).footer).toMatch(/Page <span class="pageNumber"><\/span> of <span class="totalPages"><\/span>/);
  });
});

describe(formatInstant.name, () => {
  it('shows the local wall time with its UTC offset, on both sides of a DST change', () => {
    expect(formatInstant('2026-03-29T00:59:00Z', 'Europe/Berlin')).toBe('2026-03-29 01:59 (UTC+01:00)');
    expect(formatInstant('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('2026-03-29 03:00 (UTC+02:00)');
    expect(formatInstant('2026-01-01T00:00:00Z', 'UTC')).toBe('2026-01-01 00:00 (UTC+00:00)');
  });
});

describe('svg charts', () => {
  it('rounds the axis up to a readable maximum in four steps', () => {
    expect(niceAxis(1873)).toEqual({ max: 2000, ticks: [0, 500, 1000, 1500, 2000] });
    expect(niceAxis(7)).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceAxis(9)).toEqual({ max: 10, ticks: [0, 2.5, 5, 7.5, 10] });
    expect(niceAxis(0).max).toBe(4);
  });

  it('draws one bar per day with events, none for empty days, and labels months on long periods', () => {
    const days = Array.from({ length: 90 }, (_, i) => ({ day: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), count: i % 2 }));
    const svg = activityPerDayChart(days);
    expect(svg.match(/<rect /g)).toHaveLength(45);
    expect(svg).toContain('>2026-02<');
    expect(svg).toContain('>2026-03<');
  });

  it('draws at most 10 actors, most first', () => {
    const svg = topActorsChart(Array.from({ length: 12 }, (_, i) => ({ actorId: `a${i}`, count: 100 - i })));
    expect(svg.match(/<rect /g)).toHaveLength(10);
    expect(svg.indexOf('>a0<')).toBeLessThan(svg.indexOf('>a9<'));
    expect(svg).not.toContain('>a10<');
  });
});

import { ReportDocument, ReportSection } from './report-document';
import { activityPerDayChart, topActorsChart } from './svg-charts';

/** What the Handlebars templates see: every text already formatted, charts as SVG markup. */
export interface ReportView {
  title: string;
  reportId: string | null;
  tenantId: string;
  template: ReportDocument['template'];
  period: { from: string; to: string; timezone: string; fromUtc: string; toUtc: string; short: string };
  generatedAt: string;
  generatedAtUtc: string;
  generatedBy: string;
  parameters: Array<{ name: string; value: string }>;
  summary: Array<{ label: string; value: string }>;
  charts: { activity: string; topActors: string; hasActivity: boolean };
  sections: Array<ReportSection & { number: number; shownRows: string; totalRowsText: string; truncated: boolean; empty: boolean }>;
  evidence: Array<{ label: string; value: string; mono: boolean }>;
  evidenceNote: string;
}

const NUMBER = new Intl.NumberFormat('en-US');

/** `2026-03-01 00:00 (UTC+01:00)` in `timezone`; ISO 8601 input. */
export function formatInstant(iso: string, timezone: string): string {
  const date = new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? 'UTC+00:00' : String(parts.timeZoneName).replace('GMT', 'UTC');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${offset})`;
}

/** `1 Mar 2026`, a local calendar date in `timezone`. */
function formatDay(iso: string, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

function formatParameter(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The period's last local day: `to` is exclusive, so the day of the instant just before it. */
function lastDayOf(toIso: string, timezone: string): string {
  return formatDay(new Date(new Date(toIso).getTime() - 1).toISOString(), timezone);
}

export function reportViewOf(doc: ReportDocument): ReportView {
  const tz = doc.period.timezone;
  const firstDay = formatDay(doc.period.from, tz);
  const lastDay = lastDayOf(doc.period.to, tz);
  return {
    title: doc.template.name,
    reportId: doc.reportId ?? null,
    tenantId: doc.tenantId,
    template: doc.template,
    period: {
      from: formatInstant(doc.period.from, tz),
      to: formatInstant(doc.period.to, tz),
      timezone: tz,
      fromUtc: new Date(doc.period.from).toISOString(),
      toUtc: new Date(doc.period.to).toISOString(),
      short: firstDay === lastDay ? firstDay : `${firstDay} – ${lastDay}`,
    },
    generatedAt: `${formatInstant(doc.generatedAt, tz)} · ${new Date(doc.generatedAt).toISOString()}`,
    generatedAtUtc: new Date(doc.generatedAt).toISOString(),
    generatedBy: doc.generatedBy,
    parameters: Object.entries(doc.parameters ?? {}).map(([name, value]) => ({ name, value: formatParameter(value) })),
    summary: doc.summary.map((f) => ({ label: f.label, value: NUMBER.format(f.value) })),
    charts: {
      activity: activityPerDayChart(doc.charts.activityPerDay),
      topActors: topActorsChart(doc.charts.topActors),
      hasActivity: doc.charts.activityPerDay.some((d) => d.count > 0),
    },
    sections: doc.sections.map((s, i) => ({
      ...s,
      number: i + 1,
      shownRows: NUMBER.format(s.rows.length),
      totalRowsText: NUMBER.format(s.totalRows),
      truncated: s.totalRows > s.rows.length,
      empty: s.rows.length === 0,
    })),
    evidence: [
      { label: 'Tenant', value: doc.tenantId, mono: true },
      ...(doc.reportId ? [{ label: 'Report id', value: doc.reportId, mono: true }] : []),
      { label: 'Template', value: `${doc.template.id} v${doc.template.version}`, mono: true },
      { label: 'Period (UTC)', value: `${new Date(doc.period.from).toISOString()} ≤ occurredAt < ${new Date(doc.period.to).toISOString()}`, mono: true },
      { label: 'Log head sequence', value: String(doc.evidence.headSequence), mono: true },
      { label: 'Log head hash (SHA-256)', value: doc.evidence.headHash, mono: true },
      { label: 'First sequence in population', value: doc.evidence.firstSequence === null ? 'none (empty population)' : String(doc.evidence.firstSequence), mono: true },
      { label: 'Last sequence in population', value: doc.evidence.lastSequence === null ? 'none (empty population)' : String(doc.evidence.lastSequence), mono: true },
      { label: 'Events considered', value: NUMBER.format(doc.evidence.eventsConsidered), mono: true },
      { label: 'Signing key id (Ed25519)', value: doc.evidence.keyId, mono: true },
      { label: 'Generator version', value: doc.evidence.generatorVersion, mono: true },
      { label: 'Generated at', value: new Date(doc.generatedAt).toISOString(), mono: true },
    ],
    evidenceNote: doc.reportId
      ? `GET /v1/reports/${doc.reportId}`
      : 'GET /v1/reports/{id}',
  };
}

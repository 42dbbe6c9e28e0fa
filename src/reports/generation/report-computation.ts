import { StoredAuditEvent } from '../../audit-log/audit-event';
import { ReportDocument, ReportSection } from '../rendering/report-document';
import { ReportPeriod, ReportTemplate, SummaryFigure, TemplateCalculator } from '../templates/report-template';

const TOP_ACTORS = 10;

export interface ComputedReport {
  summary: SummaryFigure[];
  sections: ReportSection[];
  charts: ReportDocument['charts'];
  /** Events of the period offered (≤ head), in or out of the population. */
  eventsConsidered: number;
  /** Events in the population (rows of the CSV). */
  populationSize: number;
  firstSequence: number | null;
  lastSequence: number | null;
}

/** `from ≤ occurredAt < to`; occurredAt and the bounds are UTC ISO strings of the same form. */
export function inPeriod(event: Pick<StoredAuditEvent, 'occurredAt'>, period: ReportPeriod): boolean {
  return event.occurredAt >= period.from && event.occurredAt < period.to;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day (YYYY-MM-DD) of an instant in an IANA timezone. */
export function localDayOf(instant: string, timezone: string): string {
  let formatter = dayFormatters.get(timezone);
  if (!formatter) dayFormatters.set(timezone, (formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return formatter.format(new Date(instant));
}

/** Every local day the period touches, in order (calendar arithmetic on dates, so DST days count once). */
export function localDaysOf(period: ReportPeriod): string[] {
  if (period.to <= period.from) return [];
  const first = localDayOf(period.from, period.timezone);
  const last = localDayOf(new Date(Date.parse(period.to) - 1).toISOString(), period.timezone);
  const days: string[] = [];
  const [y, m, d] = first.split('-').map(Number);
  for (let i = 0; ; i++) {
    const day = new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10);
    days.push(day);
    if (day >= last) return days;
  }
}

/**
 * One report's computation: offers every event of the period (occurredAt order) to the template's
 * calculator and keeps the charts and evidence counters. Pure and single-pass; the generator feeds it
 * from the read model, the tests from a hand-made list.
 */
export class ReportComputation {
  private readonly calculator: TemplateCalculator;
  private readonly perDay = new Map<string, number>();
  private readonly perActor = new Map<string, number>();
  private considered = 0;
  private population = 0;
  private first: number | null = null;
  private last: number | null = null;

  constructor(
    template: ReportTemplate,
    private readonly period: ReportPeriod,
    parameters: Record<string, unknown>,
  ) {
    this.calculator = template.calculator(period, parameters);
  }

  /** True when the event is in the report's population (a CSV row). Events outside the period are ignored. */
  add(event: StoredAuditEvent): boolean {
    if (!inPeriod(event, this.period)) return false;
    this.considered += 1;
    if (!this.calculator.add(event)) return false;
    this.population += 1;
    const day = localDayOf(event.occurredAt, this.period.timezone);
    this.perDay.set(day, (this.perDay.get(day) ?? 0) + 1);
    this.perActor.set(event.actor.id, (this.perActor.get(event.actor.id) ?? 0) + 1);
    if (this.first === null || event.sequence < this.first) this.first = event.sequence;
    if (this.last === null || event.sequence > this.last) this.last = event.sequence;
    return true;
  }

  finish(): ComputedReport {
    const { summary, sections } = this.calculator.finish();
    return {
      summary,
      sections,
      charts: {
        activityPerDay: localDaysOf(this.period).map((day) => ({ day, count: this.perDay.get(day) ?? 0 })),
        topActors: [...this.perActor.entries()]
          .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
          .slice(0, TOP_ACTORS)
          .map(([actorId, count]) => ({ actorId, count })),
      },
      eventsConsidered: this.considered,
      populationSize: this.population,
      firstSequence: this.first,
      lastSequence: this.last,
    };
  }
}

/** The figures of a template over a list of events (any order is sorted into occurredAt, sequence order). */
export function computeReport(template: ReportTemplate, period: ReportPeriod, parameters: Record<string, unknown>, events: readonly StoredAuditEvent[]): ComputedReport {
  const computation = new ReportComputation(template, period, parameters);
  const ordered = [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.sequence - b.sequence));
  for (const event of ordered) computation.add(event);
  return computation.finish();
}

import { StoredAuditEvent } from '../../audit-log/audit-event';
import { PDF_MAX_ROWS_PER_SECTION, ReportSection } from '../rendering/report-document';

/** `from ≤ occurredAt < to` (UTC ISO instants with milliseconds); `timezone` is IANA. */
export interface ReportPeriod {
  from: string;
  to: string;
  timezone: string;
}

export interface SummaryFigure {
  name: string;
  label: string;
  value: number;
}

export interface TemplateResult {
  summary: SummaryFigure[];
  sections: ReportSection[];
}

/**
 * One report's figures, computed in one pass over the period's events in occurredAt order. Pure: no
 * I/O, no clock; memory is bounded by distinct values (actors, subjects, requests) and the capped rows.
 */
export interface TemplateCalculator {
  /** Offers an event of the period; true when it belongs to the report's population. */
  add(event: StoredAuditEvent): boolean;
  finish(): TemplateResult;
}

export type TemplateFramework = 'SOX' | 'GDPR' | 'industry' | string;

/** A template as the API lists it (built-in ones have version 1 and `builtIn: true`). */
export interface ReportTemplateInfo {
  id: string;
  version: number;
  name: string;
  framework: TemplateFramework;
  description: string;
  builtIn: boolean;
  /** Parameters the template understands, with their defaults. */
  parameters: Record<string, unknown>;
}

export interface ReportTemplate extends ReportTemplateInfo {
  /** Validates parameters (throws ReportInputError) and returns a fresh calculator for one report. */
  calculator(period: ReportPeriod, parameters: Record<string, unknown>): TemplateCalculator;
}

/** Rows of a section: counts all, keeps the first `cap` (the PDF shows those; the CSV has every event). */
export class SectionRows {
  readonly rows: Array<Record<string, string>> = [];
  total = 0;

  constructor(private readonly cap = PDF_MAX_ROWS_PER_SECTION) {}

  push(row: Record<string, string>): void {
    this.total += 1;
    if (this.rows.length < this.cap) this.rows.push(row);
  }

  section(title: string, columns: Array<[key: string, label: string]>, description?: string): ReportSection {
    return { title, ...(description ? { description } : {}), columns: columns.map(([key, label]) => ({ key, label })), rows: this.rows, totalRows: this.total };
  }
}

/** A table of rows built at the end (per actor, per subject, per request), sorted by the caller. */
export function fullSection(title: string, columns: Array<[key: string, label: string]>, rows: Array<Record<string, string>>, description?: string): ReportSection {
  return {
    title,
    ...(description ? { description } : {}),
    columns: columns.map(([key, label]) => ({ key, label })),
    rows: rows.slice(0, PDF_MAX_ROWS_PER_SECTION),
    totalRows: rows.length,
  };
}

/** Longest cell text a table shows (before/after JSON of a change can be large). */
export const MAX_CELL_CHARS = 300;

export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

export class ReportInputError extends Error {
  constructor(
    message: string,
    readonly errors: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/**
 * What a PDF renderer receives: everything the report says, already computed. The generator builds it
 * (src/reports/generation); the renderer (src/reports/rendering) only lays it out.
 */
export const REPORT_PDF_RENDERER = Symbol('REPORT_PDF_RENDERER');

export interface ReportPdfRenderer {
  /** A complete PDF file. */
  render(document: ReportDocument): Promise<Buffer>;
}

/** Detail rows a PDF section shows at most; the CSV of the same report carries the whole population. */
export const PDF_MAX_ROWS_PER_SECTION = 2_000;

export interface ReportDocument {
  /** The report's id, when known: printed on the cover and in the evidence block (where to verify the file). */
  reportId?: string;
  tenantId: string;
  template: { id: string; version: number; name: string; framework: string; description: string };
  /** `from ≤ occurredAt < to`, ISO 8601 instants; `timezone` is IANA, used for days and business hours. */
  period: { from: string; to: string; timezone: string };
  generatedAt: string;
  /** Token `sub`, or `schedule:<scheduleId>`. */
  generatedBy: string;
  parameters: Record<string, unknown>;
  summary: Array<{ name: string; label: string; value: number }>;
  charts: {
    /** Local calendar days (in `period.timezone`) of the period, including days with 0 events. */
    activityPerDay: Array<{ day: string; count: number }>;
    /** At most 10, most events first. */
    topActors: Array<{ actorId: string; count: number }>;
  };
  sections: ReportSection[];
  /** The evidence the file itself can carry: its own SHA-256 and signature are in the report metadata. */
  evidence: {
    headSequence: number;
    headHash: string;
    firstSequence: number | null;
    lastSequence: number | null;
    eventsConsidered: number;
    keyId: string;
    generatorVersion: string;
  };
}

export interface ReportSection {
  title: string;
  description?: string;
  columns: Array<{ key: string; label: string }>;
  /** Cell texts by column key; at most PDF_MAX_ROWS_PER_SECTION. */
  rows: Array<Record<string, string>>;
  /** Rows of the whole section; more than `rows.length` means the PDF shows the first ones only. */
  totalRows: number;
}

import { StoredAuditEvent } from '../audit-event';

/**
 * How a column's cell is written: `text` as is, `number` in decimal, `json` as compact JSON text
 * (objects, arrays and an explicit `null`). An empty cell always means "absent".
 */
export type CsvCellKind = 'text' | 'number' | 'json';

export interface CsvColumn {
  header: string;
  kind: CsvCellKind;
  value(event: StoredAuditEvent): unknown;
}

const text = (header: string, value: (e: StoredAuditEvent) => unknown): CsvColumn => ({ header, kind: 'text', value });
const json = (header: string, value: (e: StoredAuditEvent) => unknown): CsvColumn => ({ header, kind: 'json', value });

/**
 * The CSV export's columns, in their order: every field of the stored event (docs/export-formats.md).
 * Part of the export contract: columns are only ever appended, never reordered or removed.
 */
export const CSV_COLUMNS: readonly CsvColumn[] = [
  { header: 'sequence', kind: 'number', value: (e) => e.sequence },
  text('id', (e) => e.id),
  text('occurredAt', (e) => e.occurredAt),
  text('recordedAt', (e) => e.recordedAt),
  text('tenantId', (e) => e.tenantId),
  text('actor.id', (e) => e.actor.id),
  text('actor.type', (e) => e.actor.type),
  text('actor.role', (e) => e.actor.role),
  text('actor.sessionId', (e) => e.actor.sessionId),
  text('actor.ip', (e) => e.actor.ip),
  text('actor.userAgent', (e) => e.actor.userAgent),
  text('actor.onBehalfOf', (e) => e.actor.onBehalfOf),
  text('action', (e) => e.action),
  text('outcome', (e) => e.outcome),
  text('resource.type', (e) => e.resource.type),
  text('resource.id', (e) => e.resource.id),
  text('resource.name', (e) => e.resource.name),
  text('resource.sensitivity', (e) => e.resource.sensitivity),
  text('channel', (e) => e.channel),
  text('context.requestId', (e) => e.context?.requestId),
  text('context.correlationId', (e) => e.context?.correlationId),
  text('context.workflowId', (e) => e.context?.workflowId),
  text('context.sourceService', (e) => e.context?.sourceService),
  json('changes.before', (e) => e.changes?.before),
  json('changes.after', (e) => e.changes?.after),
  json('dataSubjects', (e) => e.dataSubjects),
  json('metadata', (e) => e.metadata),
  text('prevHash', (e) => e.prevHash),
  text('hash', (e) => e.hash),
];

export const CSV_HEADER = CSV_COLUMNS.map((c) => c.header).join(',') + '\r\n';

/**
 * Cells a spreadsheet would run as a formula start with one of these; such cells get a leading `'`.
 * So does a cell that already starts with `'`, which makes the guard reversible: a consumer removes
 * exactly one leading `'` from every cell that starts with one and has the original text back.
 */
const NEEDS_GUARD = /^[=+\-@\t\r']/;

/** One RFC 4180 row (CRLF-terminated). */
export function csvRow(event: StoredAuditEvent): string {
  return CSV_COLUMNS.map((column) => csvCell(column, column.value(event))).join(',') + '\r\n';
}

function csvCell(column: CsvColumn, value: unknown): string {
  if (value === undefined) return '';
  let cell: string;
  if (column.kind === 'json') cell = JSON.stringify(value);
  else if (value === null) return '';
  else cell = String(value);
  if (NEEDS_GUARD.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

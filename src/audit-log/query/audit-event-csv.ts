import { StoredAuditEvent } from '../audit-event';

const COLUMNS: Array<[header: string, value: (e: StoredAuditEvent) => unknown]> = [
  ['sequence', (e) => e.sequence],
  ['id', (e) => e.id],
  ['occurredAt', (e) => e.occurredAt],
  ['recordedAt', (e) => e.recordedAt],
  ['tenantId', (e) => e.tenantId],
  ['actor.id', (e) => e.actor.id],
  ['actor.type', (e) => e.actor.type],
  ['actor.role', (e) => e.actor.role],
  ['actor.sessionId', (e) => e.actor.sessionId],
  ['actor.ip', (e) => e.actor.ip],
  ['actor.onBehalfOf', (e) => e.actor.onBehalfOf],
  ['action', (e) => e.action],
  ['outcome', (e) => e.outcome],
  ['resource.type', (e) => e.resource.type],
  ['resource.id', (e) => e.resource.id],
  ['resource.name', (e) => e.resource.name],
  ['resource.sensitivity', (e) => e.resource.sensitivity],
  ['channel', (e) => e.channel],
  ['context.requestId', (e) => e.context?.requestId],
  ['context.correlationId', (e) => e.context?.correlationId],
  ['context.sourceService', (e) => e.context?.sourceService],
  ['changes.before', (e) => (e.changes?.before === undefined ? undefined : JSON.stringify(e.changes.before))],
  ['changes.after', (e) => (e.changes?.after === undefined ? undefined : JSON.stringify(e.changes.after))],
  ['dataSubjects', (e) => e.dataSubjects?.join(';')],
  ['metadata', (e) => (e.metadata === undefined ? undefined : JSON.stringify(e.metadata))],
  ['prevHash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];

export const CSV_HEADER = COLUMNS.map(([h]) => h).join(',') + '\r\n';

/** One RFC 4180 row; cells that a spreadsheet would run as a formula are prefixed with `'`. */
export function csvRow(event: StoredAuditEvent): string {
  return COLUMNS.map(([, value]) => csvCell(value(event))).join(',') + '\r\n';
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

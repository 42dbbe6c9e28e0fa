import { AuditActorType, Channel, Outcome, Sensitivity, StoredAuditEvent } from '../../audit-log/audit-event';
import { CollectionDefinition } from '../../read-store/read-store.port';
import { EvaluatedEvent, recordWeightOf } from '../evaluation/rule-scope';

/**
 * The engine's compact copy of every audit event — only what rules look at — for backtests, in
 * chunks of EVENTS_PER_CHUNK consecutive sequences of a tenant. One row per event was too slow to read
 * (3 s for 1,000,000 rows before parsing; the audit-log read model's 1.3 KiB documents 18 s with
 * parsing) against a 5 s budget; a chunk is rewritten once per projection batch (ADR 027).
 */
export const EVALUATED_EVENTS = 'monitoring_evaluated_events';
export const EVENTS_PER_CHUNK = 256;

/**
 * Positional, to keep chunks small and parsing cheap:
 * [eventId, sequence, occurredAt, actor.id, actor.type, action, outcome, resource.type, resource.id,
 *  resource.sensitivity | null, channel, context.sourceService | null, record weight].
 */
type EvaluatedRow = [string, number, string, string, AuditActorType, string, Outcome, string, string, Sensitivity | null, Channel, string | null, number];
const ROW_WIDTH = 13;
type Cell = EvaluatedRow[number];

export interface EvaluatedChunkDocument {
  /** `<tenantId>:<chunk>`. */
  id: string;
  tenantId: string;
  /** floor(sequence / EVENTS_PER_CHUNK). */
  chunk: number;
  /** The rows one after another, in sequence order (flat: FerretDB refuses nested arrays). */
  cells: Cell[];
}

function rowsOf(chunk: EvaluatedChunkDocument): EvaluatedRow[] {
  const rows: EvaluatedRow[] = [];
  for (let i = 0; i < chunk.cells.length; i += ROW_WIDTH) rows.push(chunk.cells.slice(i, i + ROW_WIDTH) as EvaluatedRow);
  return rows;
}

export const EVALUATED_EVENTS_COLLECTION: CollectionDefinition = {
  name: EVALUATED_EVENTS,
  fields: { tenantId: 'string', chunk: 'number' },
  indexes: [{ name: 'by_chunk', keys: [['tenantId', 1], ['chunk', 1]] }],
};

export function evaluatedChunkIdOf(tenantId: string, sequence: number): string {
  return `${tenantId}:${Math.floor(sequence / EVENTS_PER_CHUNK)}`;
}

/** The chunk with `event` added; the same chunk when it holds the event already (a replayed batch). */
export function withEvaluatedEvent(chunk: EvaluatedChunkDocument | null, event: StoredAuditEvent): EvaluatedChunkDocument {
  const cells = chunk?.cells ?? [];
  if (chunk && cells.length > 0 && (cells[cells.length - ROW_WIDTH + 1] as number) >= event.sequence) return chunk;
  const row: EvaluatedRow = [
    event.id,
    event.sequence,
    event.occurredAt,
    event.actor.id,
    event.actor.type,
    event.action,
    event.outcome,
    event.resource.type,
    event.resource.id,
    event.resource.sensitivity ?? null,
    event.channel,
    event.context?.sourceService ?? null,
    recordWeightOf(event),
  ];
  return { id: evaluatedChunkIdOf(event.tenantId, event.sequence), tenantId: event.tenantId, chunk: Math.floor(event.sequence / EVENTS_PER_CHUNK), cells: [...cells, ...row] };
}

/** The chunk without the events in [fromSequence, toSequence] (retention); null when none is left. */
export function withoutSequences(chunk: EvaluatedChunkDocument, fromSequence: number, toSequence: number): EvaluatedChunkDocument | null {
  const rows = rowsOf(chunk).filter((row) => row[1] < fromSequence || row[1] > toSequence);
  return rows.length === 0 ? null : { ...chunk, cells: rows.flat() };
}

/** The chunks a retention expiry of [fromSequence, toSequence] touches. */
export function chunkIdsBetween(tenantId: string, fromSequence: number, toSequence: number): string[] {
  const ids: string[] = [];
  for (let chunk = Math.floor(fromSequence / EVENTS_PER_CHUNK); chunk <= Math.floor(toSequence / EVENTS_PER_CHUNK); chunk++) ids.push(`${tenantId}:${chunk}`);
  return ids;
}

/** The chunk's events as rules see them (metadata.recordCount carries the record weight). */
export function evaluatedEventsOf(chunk: EvaluatedChunkDocument): EvaluatedEvent[] {
  const events: EvaluatedEvent[] = [];
  const c = chunk.cells;
  for (let i = 0; i + ROW_WIDTH <= c.length; i += ROW_WIDTH) {
    const sensitivity = c[i + 9] as Sensitivity | null;
    const sourceService = c[i + 11] as string | null;
    const resourceType = c[i + 7] as string;
    const resourceId = c[i + 8] as string;
    events.push({
      id: c[i] as string,
      tenantId: chunk.tenantId,
      sequence: c[i + 1] as number,
      occurredAt: c[i + 2] as string,
      actor: { id: c[i + 3] as string, type: c[i + 4] as AuditActorType },
      action: c[i + 5] as string,
      outcome: c[i + 6] as Outcome,
      resource: sensitivity === null ? { type: resourceType, id: resourceId } : { type: resourceType, id: resourceId, sensitivity },
      channel: c[i + 10] as Channel,
      ...(sourceService === null ? {} : { context: { sourceService } }),
      metadata: { recordCount: c[i + 12] as number },
    });
  }
  return events;
}

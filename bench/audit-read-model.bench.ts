/**
 * What the audit read model costs per event (ADR 031): commits of 500 bench events (~1 KiB each) into
 * the real SqliteReadStore, in four shapes, on a fresh file each, one after the other in one run:
 *   full   — a full copy of the event per row (the model before ADR 031), all declared indexes;
 *   entry  — the index entry the projection writes now (auditEntryOf), all declared indexes;
 *   full-noindex, entry-noindex — the same without secondary indexes (what the indexes cost).
 * Prints commit time per event and the file size per 1,000,000 events.
 * Usage: npx ts-node --transpile-only bench/audit-read-model.bench.ts   (env EVENTS=200000, SHAPES=full,entry,full-noindex,entry-noindex)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoredAuditEvent } from '../src/audit-log/audit-event';
import { AUDIT_EVENTS, AUDIT_EVENTS_COLLECTION, AUDIT_TENANTS, AUDIT_TENANTS_COLLECTION, auditDocumentId, auditEntryOf, sortKeyOf } from '../src/audit-log/audit-log.read-model';
import { ReadModelDocument, WriteOperation } from '../src/read-store/read-store.port';
import { SqliteReadStore } from '../src/read-store/sqlite/sqlite-read-store';
import { makeEvent, rng } from './lib/audit-events';
import { round } from './lib/service';

const EVENTS = Number(process.env.EVENTS ?? 200_000);
const SHAPES = (process.env.SHAPES ?? 'full,entry,full-noindex,entry-noindex').split(',');
const BATCH = 500;

const position = (n: number) => String(n).padStart(20, '0');

function documentOf(shape: string, event: StoredAuditEvent): ReadModelDocument {
  if (shape.startsWith('entry')) return auditEntryOf(event) as unknown as ReadModelDocument;
  return { ...event, id: auditDocumentId(event.tenantId, event.id), eventId: event.id, sortKey: sortKeyOf(event.occurredAt, event.sequence) };
}

async function measure(shape: string, dir: string): Promise<{ shape: string; commitMicrosPerEvent: number; gbPerMillion: number }> {
  const file = path.join(dir, `${shape}.db`);
  const store = new SqliteReadStore({ file });
  const events = shape.endsWith('noindex') ? { ...AUDIT_EVENTS_COLLECTION, indexes: [] } : AUDIT_EVENTS_COLLECTION;
  await store.prepareProjection({ name: 'audit_log', version: 1, collections: [events, AUDIT_TENANTS_COLLECTION] });
  await store.acquireLease('audit_log');
  const r = rng(1);
  let committed: string | null = null;
  let commitMs = 0;
  for (let sequence = 0; sequence < EVENTS; ) {
    const writes: WriteOperation[] = [];
    for (let i = 0; i < BATCH; i++, sequence++) {
      const event = { ...makeEvent(r), tenantId: 'acme', sequence, prevHash: 'p'.repeat(64), hash: 'h'.repeat(64), recordedAt: new Date().toISOString() } as unknown as StoredAuditEvent;
      writes.push({ kind: 'put', collection: AUDIT_EVENTS, doc: documentOf(shape, event), position: position(sequence + 1) });
    }
    writes.push({ kind: 'put', collection: AUDIT_TENANTS, doc: { id: 'acme', headSequence: sequence - 1 }, position: position(sequence) });
    const started = performance.now();
    await store.commit('audit_log', committed, position(sequence), writes);
    commitMs += performance.now() - started;
    committed = position(sequence);
  }
  await store.close();
  const bytes = fs.readdirSync(dir).filter((f) => f.startsWith(`${shape}.db`)).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  return { shape, commitMicrosPerEvent: round((commitMs * 1000) / EVENTS, 1), gbPerMillion: round((bytes / EVENTS) * 1e6 / 1e9, 2) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-read-model-bench-'));
  try {
    console.log(`${EVENTS} events, ${BATCH} per commit`);
    for (const shape of SHAPES) console.log(JSON.stringify(await measure(shape, dir)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();

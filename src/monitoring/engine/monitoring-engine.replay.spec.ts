import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_RECORDED } from '../../audit-log/audit-event';
import { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import { ProjectionBatch } from '../../projections/projection-batch';
import { ReadModelDocument, ReadStore, StoredDocument, WriteOperation } from '../../read-store/read-store.port';
import { ALERTS, AlertDocument } from '../alerts/alert';
import { MonitoringEngineProjection } from './monitoring-engine.projection';
import { MONITORING_WINDOWS } from './monitoring-engine.read-model';

/** A read store without multi-document transactions: writes land one by one, position-guarded. */
class PerDocumentStore {
  readonly docs = new Map<string, StoredDocument>();
  async getWithPosition(collection: string, id: string): Promise<StoredDocument | null> {
    return this.docs.get(`${collection}/${id}`) ?? null;
  }
  write(op: WriteOperation): void {
    const key = `${op.collection}/${op.kind === 'put' ? op.doc.id : op.id}`;
    const stored = this.docs.get(key);
    if (stored && stored.position >= op.position) return;
    if (op.kind === 'put') this.docs.set(key, { doc: JSON.parse(JSON.stringify(op.doc)) as ReadModelDocument, position: op.position });
    else this.docs.delete(key);
  }
  alerts(): AlertDocument[] {
    return [...this.docs.entries()].filter(([k]) => k.startsWith(`${ALERTS}/`)).map(([, v]) => v.doc as unknown as AlertDocument).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

let position = 0;
function denied(actor: string, seconds: number): RecordedEvent {
  position += 1;
  const id = randomUUID();
  const data = { id, tenantId: 'acme', sequence: position - 1, occurredAt: new Date(Date.parse('2026-05-04T10:00:00.000Z') + seconds * 1000).toISOString(), recordedAt: '2026-05-04T10:00:00.000Z', actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api', prevHash: '', hash: '' };
  return { id, type: AUDIT_EVENT_RECORDED, data: data as unknown as JsonObject, metadata: {}, stream: 'audit-acme', revision: position - 1, position: String(position).padStart(20, '0'), recordedAt: new Date('2026-05-04T10:00:00.000Z') };
}

/** Applies `events` as one batch on `store` and returns its write operations (in the order the batch holds them). */
async function batchOf(store: PerDocumentStore, events: RecordedEvent[]): Promise<WriteOperation[]> {
  const projection = new MonitoringEngineProjection();
  const batch = new ProjectionBatch(store as unknown as ReadStore);
  for (const event of events) {
    batch.at(event.position);
    await projection.apply(event, batch);
  }
  return batch.operations();
}

describe('rules engine on a store without multi-document transactions', () => {
  it('a batch whose commit wrote the window but not the alert, replayed, ends with the alert of an uninterrupted run (not lost, not joined twice)', async () => {
    const events = [denied('bob', 0), denied('bob', 1), denied('bob', 2), denied('bob', 3), denied('bob', 4), denied('bob', 60)];

    const clean = new PerDocumentStore();
    (await batchOf(clean, events)).forEach((op) => clean.write(op));
    expect(clean.alerts()).toHaveLength(1);
    expect(clean.alerts()[0]).toMatchObject({ eventCount: 6 });

    const crashed = new PerDocumentStore();
    const operations = await batchOf(crashed, events);
    // The commit stops after the window documents: the alert write and the checkpoint are lost.
    operations.filter((op) => op.collection === MONITORING_WINDOWS).forEach((op) => crashed.write(op));
    expect(crashed.alerts()).toEqual([]);
    // Restart: the same batch is applied again from the old checkpoint, over what was written.
    (await batchOf(crashed, events)).forEach((op) => crashed.write(op));
    expect(crashed.alerts()).toEqual(clean.alerts());
  });

  it('a batch whose commit wrote the alert but not the window, replayed, does not count the joins twice', async () => {
    const events = [denied('eve', 0), denied('eve', 1), denied('eve', 2), denied('eve', 3), denied('eve', 4), denied('eve', 60), denied('eve', 61)];
    const clean = new PerDocumentStore();
    (await batchOf(clean, events)).forEach((op) => clean.write(op));

    const crashed = new PerDocumentStore();
    (await batchOf(crashed, events)).filter((op) => op.collection === ALERTS).forEach((op) => crashed.write(op));
    (await batchOf(crashed, events)).forEach((op) => crashed.write(op));
    expect(crashed.alerts()).toEqual(clean.alerts());
    expect(crashed.alerts()[0]).toMatchObject({ eventCount: 7 });
  });
});

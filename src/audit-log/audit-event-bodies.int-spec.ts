import * as path from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../event-store/stream-names';
import { AUDIT_EVENT_RECORDED } from './audit-event';
import { AuditEventBodies, AuditEventBodyMissingError } from './audit-event-bodies';

const TENANT = 'acme';

describe('AuditEventBodies (bodies of index entries, read from the log)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let events: SqliteEventStore;
  let bodies: AuditEventBodies;

  beforeEach(async () => {
    temp = makeTempDir();
    events = new SqliteEventStore({ file: path.join(temp.dir, 'events.db') });
    bodies = new AuditEventBodies(events);
    const appended = Array.from({ length: 100 }, (_, sequence) => ({
      id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
      type: AUDIT_EVENT_RECORDED,
      data: { id: `e${sequence}`, tenantId: TENANT, sequence, action: 'invoice.view' },
    }));
    await events.append(auditStreamOf(TENANT), appended, 'no_stream');
  });

  afterEach(async () => {
    await events.close();
    temp.cleanup();
  });

  it('answers the bodies in the order of the entries, whatever their sequences', async () => {
    const entries = [90, 3, 4, 57, 2, 99, 0].map((sequence) => ({ sequence }));
    const found = await bodies.of(TENANT, entries);
    expect(found.map((f) => f.event.sequence)).toEqual([90, 3, 4, 57, 2, 99, 0]);
    expect(found.map((f) => f.entry)).toEqual(entries);
    expect(found[0].event).toEqual({ id: 'e90', tenantId: TENANT, sequence: 90, action: 'invoice.view' });
    const texts = await bodies.textsOf(TENANT, entries.slice(0, 2));
    expect(texts.map((t) => t.json)).toEqual([JSON.stringify(found[0].event), JSON.stringify(found[1].event)]);
  });

  it('leaves out entries the retention policy expired from the log before the read model heard of it', async () => {
    await events.truncateBefore(auditStreamOf(TENANT), 10);
    const found = await bodies.of(TENANT, [5, 9, 10, 11].map((sequence) => ({ sequence })));
    expect(found.map((f) => f.event.sequence)).toEqual([10, 11]);
  });

  it('fails loudly when an entry names an event the log does not hold above the horizon', async () => {
    await expect(bodies.of(TENANT, [1, 150].map((sequence) => ({ sequence })))).rejects.toThrow(AuditEventBodyMissingError);
    await expect(bodies.of('other-tenant', [{ sequence: 1 }])).rejects.toThrow(/holds no event at sequence 1/);
  });
});

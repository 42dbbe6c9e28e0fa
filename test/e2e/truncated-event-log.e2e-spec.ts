import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, sameStoresEnv, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

/** Deletes the newest `count` events of a stream the way an attacker with file access would: the streams table is left alone. */
function truncateTail(dataDir: string, stream: string, count: number): void {
  const db = new Database(path.join(dataDir, 'events.db'));
  try {
    db.exec('DROP TRIGGER events_are_never_deleted');
    db.prepare('DELETE FROM events WHERE position IN (SELECT position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT ?)').run(stream, count);
  } finally {
    db.close();
  }
}

/** Issue 14 item 8: rows deleted from the end of events.db, then the service restarted. */
describe('GET /v1/integrity/verify after the tail of a tenant stream was deleted', () => {
  let first: TestApp;
  let restarted: TestApp | null = null;

  beforeEach(async () => {
    first = await createTestApp();
  });
  afterEach(async () => {
    await restarted?.close();
    restarted = null;
    fs.rmSync(first.dataDir, { recursive: true, force: true });
  });

  it('answers a verdict with valid false and the missing range, and the tenant can still write', async () => {
    const api = auditApi(first.app);
    const receipts = await api.record(writer, Array.from({ length: 5 }, () => auditEvent()));
    await api.list(officer, 'actorId=alice', receipts[4].sequence);
    // Wait until the read model has seen everything (the list's own record included), then note the head.
    for (let i = 0; i < 200; i++) {
      const health = await api.http().get('/health');
      if (health.body.projections.find((p: { name: string }) => p.name === 'audit_log').eventsBehind === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const [last] = await first.app.get<EventStore>(EVENT_STORE).readStream('audit-acme', { direction: 'backwards', maxCount: 1 });
    const head = last.revision;
    await first.app.close();

    truncateTail(first.dataDir, 'audit-acme', 2);
    restarted = await createTestApp({ env: sameStoresEnv(first) });
    const again = auditApi(restarted.app);

    const verify = await again.http().get('/v1/integrity/verify').set('Authorization', officer);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ valid: false, firstInvalidSequence: head - 1, missingFrom: head - 1, missingTo: head });

    // Not wedged: new events are chained after the last known head, and the gap stays visible.
    const [next] = await again.record(writer, [auditEvent()]);
    expect(next.sequence).toBeGreaterThan(head);
    const later = await again.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    expect(later.body).toMatchObject({ valid: false, missingFrom: head - 1, missingTo: head });
  });
});

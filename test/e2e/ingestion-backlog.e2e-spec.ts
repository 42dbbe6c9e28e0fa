import request from 'supertest';

import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const LIMIT = 1000;

describe('Bounded admission: ingestion answers 429 while the read model is too far behind (ADR 030)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const batch = (n: number) => ({ events: Array.from({ length: n }, () => auditEvent()) });
  const auditHead = async () => (await t.app.get<EventStore>(EVENT_STORE).readStream('audit-acme', { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? -1;

  beforeEach(async () => {
    t = await createTestApp({ env: { INGEST_MAX_UNPROJECTED_EVENTS: String(LIMIT) } });
  });
  afterEach(async () => t.close());

  it('refuses client submissions with 429 + Retry-After once the backlog reaches the limit, writes nothing of them, and accepts again after the projection caught up', async () => {
    const projection = t.app.get(ProjectionRegistry).localRunner('audit_log');
    await projection.stop(); // the read model stops following the log
    for (let i = 0; i < 2; i++) await http().post('/v1/audit-events/batch').set('Authorization', writer).send(batch(500)).expect(201);
    const head = await auditHead();

    const refused = await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent()).expect(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body).toMatchObject({ type: 'https://problems.audit-trail.dev/ingestion-backlogged', status: 429 });
    expect(refused.body.detail).toMatch(/^\d+ recorded events of this tenant are not yet in its read model; nothing was recorded; retry after 2 s\.$/);
    await http().post('/v1/audit-events/batch').set('Authorization', writer).send(batch(3)).expect(429);
    expect(await auditHead()).toBe(head); // nothing of the refused submissions was written

    // The service's own records are not refused: reading (which is self-audited) still works.
    await http().get('/v1/integrity/verify?fromSequence=0&toSequence=0').set('Authorization', officer).expect(200);
    expect(await auditHead()).toBeGreaterThan(head);

    await projection.catchUp();
    projection.start();
    await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent()).expect(201);
  }, 30_000);
});

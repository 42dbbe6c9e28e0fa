import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AUDIT_EVENT_RECORDED } from '../../src/audit-log/audit-event';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

/** The production default: projections run in a worker thread, the HTTP thread reads their output. */
describe('PROJECTION_MODE=worker', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { PROJECTION_MODE: 'worker' } });
  }, 60_000);
  afterAll(() => t.close());

  it('applies events in the worker; read-your-writes, health and idempotency work across threads', async () => {
    const http = request(t.app.getHttpServer());
    const events = Array.from({ length: 30 }, () => auditEvent());
    const res = await http.post('/v1/audit-events/batch').set('Authorization', writer).send({ events }).expect(201);
    const last = res.body.results[29].sequence;

    const list = await http.get(`/v1/audit-events?actorId=alice&limit=100&minSequence=${last}`).set('Authorization', officer).expect(200);
    expect(list.body.items).toHaveLength(30);

    const health = await request(t.app.getHttpServer()).get('/health').expect(200);
    const projections = health.body.projections as Array<{ name: string; state: string; lastError: string | null }>;
    expect(projections.map((p) => p.name).sort()).toEqual(['alert_recipients', 'audit_log', 'cross_tenant_grants', 'monitoring', 'monitoring_rules', 'notifications', 'report_schedules', 'reports', 'tenant_roles', 'tenant_settings', 'webhooks']);
    for (const projection of projections) {
      expect(projection.lastError).toBeNull();
      expect(['live', 'catching-up']).toContain(projection.state);
    }

    // Once projected, the in-memory window is pruned and the resend is answered from the read model.
    const again = await http.post('/v1/audit-events').set('Authorization', writer).send(events[3]).expect(200);
    expect(again.body).toMatchObject({ id: events[3].id, sequence: 3, duplicate: true });
  }, 30_000);

  it('reports an event parked in the worker in /health (degraded, projection and event named) and goes on with other tenants', async () => {
    const http = request(t.app.getHttpServer());
    const events = t.app.get<EventStore>(EVENT_STORE);
    await http.post('/v1/audit-events').set('Authorization', writer).send(auditEvent()).expect(201);
    const [last] = await events.readStream('audit-acme', { direction: 'backwards', maxCount: 1 });
    const id = randomUUID();
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const text = `{"id":"${id}","tenantId":"acme","sequence":${last.revision + 1},"hash":"${'f'.repeat(64)}","metadata":${deep}}`;
    await events.append('audit-acme', [{ id, type: AUDIT_EVENT_RECORDED, data: { id }, serializedData: text }], last.revision);
    const other = await http.post('/v1/audit-events').set('Authorization', bearer({ tenant: 'globex', roles: ['audit_writer'], sub: 'svc', actorType: 'service' })).send(auditEvent()).expect(201);

    const list = await http.get(`/v1/audit-events?minSequence=${other.body.sequence}`).set('Authorization', bearer({ tenant: 'globex', roles: ['compliance_officer'], sub: 'carol' }));
    expect(list.status).toBe(200);
    let health = await http.get('/health').expect(200);
    for (let i = 0; i < 100 && health.body.status !== 'degraded'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      health = await http.get('/health').expect(200);
    }
    // Every projection that reads audit streams parks this malformed event (audit_log and the rules engine).
    expect(health.body).toMatchObject({ status: 'degraded', problems: expect.arrayContaining([expect.objectContaining({ projection: 'audit_log', parkedCount: 1 })]) });
    const auditLog = health.body.projections.find((p: { name: string }) => p.name === 'audit_log');
    expect(auditLog.parked).toEqual([expect.objectContaining({ stream: 'audit-acme', eventId: id, reason: 'failed' })]);
  }, 30_000);
});

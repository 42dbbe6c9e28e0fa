import request from 'supertest';
import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditStreamOf } from '../../src/event-store/stream-names';
import { NO_SUCH_TENANT_REASON, SelfAuditRecorder } from '../../src/self-audit/self-audit.recorder';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

/** A platform administrator (home tenant "platform") with no grant anywhere. */
const ops = bearer({ tenant: 'platform', roles: ['platform_admin'], sub: 'ops-flood', actorType: 'admin' });
const platformOfficer = bearer({ tenant: 'platform', roles: ['compliance_officer'], sub: 'pat' });
const acmeOfficer = bearer({ tenant: 'acme', roles: ['compliance_officer'], sub: 'carol' });
const acmeWriter = bearer({ tenant: 'acme', roles: ['audit_writer'], sub: 'svc-flood', actorType: 'service' });

describe('Access denials cannot create tenants or flood a log', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  const http = () => request(t.app.getHttpServer());
  const events = () => t.app.get<EventStore>(EVENT_STORE);
  const recorder = () => t.app.get(SelfAuditRecorder);
  /** Denials recorded in `tenant` for `actorId`, everything recorded so far applied. */
  const denialsIn = async (reader: string, actorId: string) =>
    (await api.list(reader, `action=access.denied&actorId=${actorId}&limit=500`, await api.head(reader))) as StoredAuditEvent[];

  beforeAll(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
    await api.record(acmeWriter, [auditEvent()]);
    await api.head(platformOfficer); // the home tenant has a log of its own
  });
  afterAll(() => t?.close());

  it('a platform_admin naming 300 tenants that do not exist creates no stream, and its home log gets one record and one summary', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `ghost${i}`);
    for (const name of names) {
      const res = await http().get('/v1/audit-events').set('Authorization', ops).set('X-Tenant-Id', name);
      expect(res.status).toBe(403);
      expect(res.body.detail).toBe(`No active grant of tenant ${name} to ops-flood`);
    }
    for (const name of names) expect(await events().readStream(auditStreamOf(name))).toEqual([]);

    const first = await denialsIn(platformOfficer, 'ops-flood');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      tenantId: 'platform',
      outcome: 'denied',
      actor: { id: 'ops-flood', type: 'admin' },
      metadata: { reason: NO_SUCH_TENANT_REASON, requestedTenant: 'ghost0', requiredAnyOf: ['audit:read', 'audit:read:own'] },
    });

    await recorder().flushRepeatedDenials();
    const [summary, ...rest] = await denialsIn(platformOfficer, 'ops-flood');
    expect(rest).toEqual([first[0]]);
    expect(summary.metadata).toMatchObject({
      reason: NO_SUCH_TENANT_REASON,
      recordCount: 299,
      repeated: { count: 299, requestedTenants: names.slice(1, 11) },
    });
  }, 60_000);

  it('1,000 repeated denials of one caller in one tenant and route become one record at once and one summary with the count', async () => {
    for (let i = 0; i < 1000; i++) await http().get('/v1/audit-events').set('Authorization', acmeWriter).expect(403);
    expect(await denialsIn(acmeOfficer, 'svc-flood')).toHaveLength(1);
    await recorder().flushRepeatedDenials();
    const [summary, first] = await denialsIn(acmeOfficer, 'svc-flood');
    expect(first.metadata).not.toHaveProperty('repeated');
    expect(summary).toMatchObject({ tenantId: 'acme', actor: { id: 'svc-flood' }, resource: { type: 'route', id: 'GET /v1/audit-events' } });
    expect(summary.metadata).toMatchObject({ recordCount: 999, repeated: { count: 999 } });
  }, 60_000);

  it('records another route, or the same route after the window, at once again (window from the injected clock)', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    recorder().useDenialClock(() => now);
    try {
      const writer = bearer({ tenant: 'acme', roles: ['audit_writer'], sub: 'svc-window', actorType: 'service' });
      const deny = (path: string) => http().get(path).set('Authorization', writer).expect(403);
      await deny('/v1/audit-events');
      await deny('/v1/audit-events');
      await deny('/v1/integrity/verify');
      expect(await denialsIn(acmeOfficer, 'svc-window')).toHaveLength(2);

      now += 59_000;
      await recorder().recordEndedDenialWindows();
      expect(await denialsIn(acmeOfficer, 'svc-window')).toHaveLength(2);

      now += 1_000; // the window (60 s by default) has ended
      await recorder().recordEndedDenialWindows();
      const afterWindow = await denialsIn(acmeOfficer, 'svc-window');
      expect(afterWindow).toHaveLength(3);
      expect(afterWindow[0].metadata).toMatchObject({ recordCount: 1, repeated: { windowStart: '2030-01-01T00:00:00.000Z', windowEnd: '2030-01-01T00:01:00.000Z' } });

      await deny('/v1/audit-events');
      expect(await denialsIn(acmeOfficer, 'svc-window')).toHaveLength(4);
    } finally {
      recorder().useDenialClock(Date.now);
    }
  });

  it('copies at most 20 query parameters of bounded size into the record, and says it truncated', async () => {
    const writer = bearer({ tenant: 'acme', roles: ['audit_writer'], sub: 'svc-query', actorType: 'service' });
    const query = Array.from({ length: 200 }, (_, i) => `p${i}=${'v'.repeat(10)}`).join('&');
    await http().get(`/v1/audit-events?${query}&long=${'x'.repeat(3000)}`).set('Authorization', writer).set('User-Agent', 'u'.repeat(2000)).expect(403);
    const [denial] = await denialsIn(acmeOfficer, 'svc-query');
    const copied = denial.metadata!.query as Record<string, unknown>;
    expect(Object.keys(copied)).toHaveLength(20);
    expect(denial.metadata).toMatchObject({ queryTruncated: true });
    expect(denial.actor.userAgent).toHaveLength(256);
    expect(JSON.stringify(denial).length).toBeLessThan(4096);
  });
});

import { randomUUID } from 'node:crypto';
import * as nodeHttp from 'node:http';
import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditStreamOf, grantStreamOf } from '../../src/event-store/stream-names';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { baseUrlOf } from '../support/sse-client';
import { bearer } from '../support/tokens';

/** The tenant that grants (its data), its administrator and its compliance officer. */
const acmeAdmin = bearer({ tenant: 'acme', roles: ['super_admin'], sub: 'root-alice' });
const acmeOfficer = bearer({ tenant: 'acme', roles: ['compliance_officer'], sub: 'carol' });
const acmeWriter = bearer({ tenant: 'acme', roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'root-gina' });
/** A platform administrator: home tenant "platform", no tenant data permissions of its own. */
const opsJane = bearer({ tenant: 'platform', roles: ['platform_admin'], sub: 'ops-jane', actorType: 'admin' });
const opsJack = bearer({ tenant: 'platform', roles: ['platform_admin'], sub: 'ops-jack', actorType: 'admin' });

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const DAY = 24 * 60 * 60 * 1000;

function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status });
}

describe('Cross-tenant grants (/v1/cross-tenant-grants, X-Tenant-Id)', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  const http = () => request(t.app.getHttpServer());
  const grant = (body: Record<string, unknown>, token = acmeAdmin) => http().post('/v1/cross-tenant-grants').set('Authorization', token).send(body);
  const revoke = (id: string, token = acmeAdmin) => http().delete(`/v1/cross-tenant-grants/${id}`).set('Authorization', token);
  const listGrants = (token = acmeAdmin) => http().get('/v1/cross-tenant-grants').set('Authorization', token);
  /** A request of a platform administrator into `tenant`. */
  const into = (tenant: string, path: string, token = opsJane) => http().get(path).set('Authorization', token).set('X-Tenant-Id', tenant);
  /** acme's records of `action`, everything recorded so far applied. */
  const acmeRecordsOf = async (action: string) => api.list(acmeOfficer, `action=${action}`, await api.head(acmeOfficer));
  const issue = async (body: Record<string, unknown> = {}) =>
    (await grant({ grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inMs(DAY), ...body }).expect(201)).body as { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    api = auditApi(t.app);
    await api.record(acmeWriter, [auditEvent({ resource: { type: 'invoice', id: 'ACME-INV-1' } })]);
  });
  afterAll(() => t.close());

  /** Revokes every grant of acme, so that each test starts without access. */
  afterEach(async () => {
    const res = await listGrants();
    for (const g of res.body.items as Array<{ id: string; status: string }>) if (g.status === 'active') await revoke(g.id).expect(204);
  });

  describe('platform_admin without a grant', () => {
    it('has no tenant data permissions of its own (403 on its own tenant)', async () => {
      expectProblem(await http().get('/v1/audit-events').set('Authorization', opsJane), 403);
    });

    it('is refused in another tenant with 403 "no active grant", recorded in that tenant\'s log', async () => {
      const res = await into('acme', '/v1/audit-events').set('X-Request-Id', 'req-no-grant-1');
      expectProblem(res, 403);
      expect(res.body.detail).toMatch(/No active grant of tenant acme to ops-jane/);
      const [denial] = (await acmeRecordsOf('access.denied')).filter((e) => e.context?.requestId === 'req-no-grant-1');
      expect(denial).toMatchObject({
        tenantId: 'acme',
        outcome: 'denied',
        actor: { id: 'ops-jane', type: 'admin', role: 'platform_admin' },
        metadata: { reason: 'no active cross-tenant grant', crossTenant: { fromTenant: 'platform', grantIds: [] } },
      });
    });
  });

  describe('with an active grant', () => {
    it('issues a grant (201) that the list shows as active', async () => {
      const expiresAt = inMs(7 * DAY);
      const res = await grant({ grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:verify', 'audit:read'], expiresAt }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        grantee: 'ops-jane',
        granteeTenant: 'platform',
        permissions: ['audit:read', 'audit:verify'],
        expiresAt,
        issuedAt: expect.any(String),
        issuedBy: 'root-alice',
        status: 'active',
      });
      expect(res.headers.location).toBe(`/v1/cross-tenant-grants/${res.body.id}`);
      expect((await listGrants().expect(200)).body.items[0]).toEqual(res.body);
      const events = await t.app.get<EventStore>(EVENT_STORE).readStream(grantStreamOf('acme', res.body.id));
      expect(events.map((e) => e.type)).toEqual(['CrossTenantGrantIssued.v2']);
    });

    it("runs the request as the target tenant with exactly the granted permissions, recorded in the target's log only", async () => {
      const { id } = await issue({ permissions: ['audit:read'] });
      const res = await into('acme', '/v1/audit-events?resourceId=ACME-INV-1').set('X-Request-Id', 'req-cross-1').expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({ tenantId: 'acme', resource: { id: 'ACME-INV-1' } });

      const [record] = (await acmeRecordsOf('audit_log.search')).filter((e) => e.context?.requestId === 'req-cross-1');
      expect(record).toMatchObject({
        tenantId: 'acme',
        outcome: 'success',
        actor: { id: 'ops-jane', type: 'admin', role: 'platform_admin' },
        resource: { type: 'audit_log', id: 'acme' },
        metadata: { crossTenant: { fromTenant: 'platform', grantIds: [id] } },
      });
      // Nothing of it lands in the administrator's own tenant.
      const platformLog = await t.app.get<EventStore>(EVENT_STORE).readStream(auditStreamOf('platform'));
      expect(platformLog.filter((e) => (e.data as { context?: { requestId?: string } }).context?.requestId === 'req-cross-1')).toEqual([]);

      // audit:export was not granted: refused, and the refusal is in acme's log too.
      const exported = await into('acme', '/v1/audit-events/export').set('X-Request-Id', 'req-cross-2');
      expectProblem(exported, 403);
      const [denied] = (await acmeRecordsOf('access.denied')).filter((e) => e.context?.requestId === 'req-cross-2');
      expect(denied).toMatchObject({ actor: { id: 'ops-jane' }, metadata: { requiredAnyOf: ['audit:export', 'audit:read:own'], crossTenant: { fromTenant: 'platform' } } });
    });

    it('gives nothing beyond the grant: not the roles of the token, not the custom roles of either tenant', async () => {
      await http().post('/v1/roles').set('Authorization', acmeAdmin).send({ name: 'ops_extra', permissions: ['audit:export', 'grants:manage'] }).expect(201);
      await issue({ permissions: ['audit:read'] });
      const extra = bearer({ tenant: 'platform', roles: ['platform_admin', 'ops_extra', 'super_admin'], sub: 'ops-jane' });
      await into('acme', '/v1/audit-events', extra).expect(200);
      expectProblem(await into('acme', '/v1/audit-events/export', extra), 403);
      expectProblem(await into('acme', '/v1/cross-tenant-grants', extra), 403);
      expectProblem(await into('acme', '/v1/roles', extra), 403);
    });

    it('opens only the granting tenant, only to the grantee', async () => {
      await issue({ grantee: 'ops-jane' });
      expectProblem(await into('acme', '/v1/audit-events', opsJack), 403);
      expectProblem(await into('globex', '/v1/audit-events'), 403);
    });

    it('several active grants add up', async () => {
      await issue({ permissions: ['audit:read'] });
      await issue({ permissions: ['audit:verify'] });
      await into('acme', '/v1/audit-events').expect(200);
      await into('acme', '/v1/integrity/verify').expect(200);
    });

    it('X-Tenant-Id from anyone but a platform_admin is refused with 403, even when a grant names them', async () => {
      await issue({ grantee: 'root-gina' });
      const res = await into('acme', '/v1/audit-events', globexAdmin).set('X-Request-Id', 'req-not-admin');
      expectProblem(res, 403);
      expect(res.body.detail).toMatch(/platform_admin/);
      // Recorded in the caller's own tenant, as an attempt.
      const globexLog = await t.app.get<EventStore>(EVENT_STORE).readStream(auditStreamOf('globex'));
      const attempt = globexLog.map((e) => e.data as { action: string; context?: { requestId?: string } }).find((e) => e.context?.requestId === 'req-not-admin');
      expect(attempt).toMatchObject({ action: 'access.denied', outcome: 'denied' });
    });

    it("X-Tenant-Id naming the caller's own tenant changes nothing", async () => {
      await http().get('/v1/audit-events').set('Authorization', acmeOfficer).set('X-Tenant-Id', 'acme').expect(200);
    });

    it.each(['acme,globex', 'acme~x', '', 'a/b'])('a platform_admin naming %p in X-Tenant-Id gets 400', async (value) => {
      expectProblem(await into(value, '/v1/audit-events'), 400);
    });
  });

  describe("binds the grantee's home tenant as well as its sub", () => {
    /** Same sub as the grantee, platform_admin too, but from another home tenant. */
    const impostor = bearer({ tenant: 'elsewhere', roles: ['platform_admin'], sub: 'ops-jane', actorType: 'admin' });

    it('refuses a platform_admin with the same sub from another home tenant (403), while the grantee gets in', async () => {
      await issue();
      const res = await into('acme', '/v1/audit-events', impostor);
      expectProblem(res, 403);
      expect(res.body.detail).toMatch(/No active grant/);
      await into('acme', '/v1/audit-events').expect(200);
    });

    it('records and shows the home tenant: CrossTenantGrantIssued.v2 with granteeTenant, and the list', async () => {
      const { id } = await issue();
      const [issued] = await t.app.get<EventStore>(EVENT_STORE).readStream(grantStreamOf('acme', id));
      expect(issued).toMatchObject({ type: 'CrossTenantGrantIssued.v2', data: { grantee: 'ops-jane', granteeTenant: 'platform' } });
      const listed = (await listGrants().expect(200)).body.items.find((g: { id: string }) => g.id === id);
      expect(listed).toMatchObject({ grantee: 'ops-jane', granteeTenant: 'platform', status: 'active' });
    });

    it('keeps a grant issued before (CrossTenantGrantIssued.v1, no home tenant) readable: listed as "unbound", opening nothing', async () => {
      const grantId = randomUUID().replace(/-/g, '');
      const at = new Date().toISOString();
      const data = { tenantId: 'acme', grantId, by: 'root-alice', at, grantee: 'ops-jane', permissions: ['audit:read'], expiresAt: inMs(DAY) };
      const appended = await t.app.get<EventStore>(EVENT_STORE).append(grantStreamOf('acme', grantId), [{ id: randomUUID(), type: 'CrossTenantGrantIssued.v1', data }], 'no_stream');
      expect(await t.app.get(ProjectionRegistry).runner('cross_tenant_grants').waitFor(appended.position, 5000)).toBe(true);
      const listed = (await listGrants().expect(200)).body.items.find((g: { id: string }) => g.id === grantId);
      expect(listed).toMatchObject({ id: grantId, grantee: 'ops-jane', granteeTenant: null, status: 'unbound', permissions: ['audit:read'] });
      expectProblem(await into('acme', '/v1/audit-events'), 403);
      expectProblem(await into('acme', '/v1/audit-events', impostor), 403);
      await revoke(grantId).expect(204);
      expect((await listGrants().expect(200)).body.items.find((g: { id: string }) => g.id === grantId)).toMatchObject({ status: 'revoked', granteeTenant: null });
    });
  });

  describe('revocation and expiry stop it at once', () => {
    it('a revoked grant is refused on the very next request; the list shows it revoked; revoking again changes nothing', async () => {
      const { id } = await issue();
      await into('acme', '/v1/audit-events').expect(200);
      await revoke(id).expect(204);
      expectProblem(await into('acme', '/v1/audit-events'), 403);
      const listed = (await listGrants().expect(200)).body.items.find((g: { id: string }) => g.id === id);
      expect(listed).toMatchObject({ status: 'revoked', revokedBy: 'root-alice', revokedAt: expect.any(String) });
      await revoke(id).expect(204);
      const events = await t.app.get<EventStore>(EVENT_STORE).readStream(grantStreamOf('acme', id));
      expect(events.map((e) => e.type)).toEqual(['CrossTenantGrantIssued.v2', 'CrossTenantGrantRevoked.v1']);
    });

    it('a revocation is in force as soon as it is in the event store, even before the read model has it', async () => {
      const { id } = await issue();
      const runner = t.app.get(ProjectionRegistry).localRunner('cross_tenant_grants');
      await runner.stop();
      try {
        await t.app.get<EventStore>(EVENT_STORE).append(
          grantStreamOf('acme', id),
          [{ id: randomUUID(), type: 'CrossTenantGrantRevoked.v1', data: { tenantId: 'acme', grantId: id, by: 'root-alice', at: new Date().toISOString() } }],
          0,
        );
        expectProblem(await into('acme', '/v1/audit-events'), 403);
      } finally {
        runner.start();
      }
    });

    it('a live tail (SSE) opened under a grant is cut once the grant is revoked', async () => {
      const { id } = await issue();
      const { status, ended } = await new Promise<{ status: number; ended: Promise<number> }>((resolve, reject) => {
        const req = nodeHttp.get(`${baseUrlOf(t.app.getHttpServer())}/v1/audit-events/stream`, { headers: { Authorization: opsJane, 'X-Tenant-Id': 'acme' } });
        req.on('error', reject);
        req.on('response', (res) => {
          res.resume();
          const opened = Date.now();
          const ended = new Promise<number>((done) => res.on('close', () => done(Date.now() - opened)));
          resolve({ status: res.statusCode ?? 0, ended });
        });
      });
      expect(status).toBe(200);
      const stillOpen = await Promise.race([ended.then(() => false), new Promise((r) => setTimeout(() => r(true), 1500))]);
      expect(stillOpen).toBe(true); // the grant holds: the tail stays open through a re-check
      await revoke(id).expect(204);
      const revokedAt = Date.now();
      await ended;
      expect(Date.now() - revokedAt).toBeLessThan(2500);
    });

    it('an expired grant is refused (expiry is checked on every request)', async () => {
      await issue({ expiresAt: inMs(1200) });
      await into('acme', '/v1/audit-events').expect(200);
      await new Promise((r) => setTimeout(r, 1300));
      expectProblem(await into('acme', '/v1/audit-events'), 403);
      const listed = (await listGrants().expect(200)).body.items[0];
      expect(listed.status).toBe('expired');
    });
  });

  describe('managing grants', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a write permission', { permissions: ['audit:write'] }, 'permissions[0]'],
      ['role management', { permissions: ['audit:read', 'roles:manage'] }, 'permissions[1]'],
      ['an unknown permission', { permissions: ['audit:everything'] }, 'permissions[0]'],
      ['an expiry in the past', { expiresAt: inMs(-60_000) }, 'expiresAt'],
      ['an expiry more than 90 days ahead', { expiresAt: inMs(91 * DAY) }, 'expiresAt'],
    ])('refuses %s with 422 naming the field', async (_, overrides, path) => {
      const res = await grant({ grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inMs(DAY), ...overrides });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ path, message: expect.any(String) }]);
    });

    it.each<[string, Record<string, unknown>]>([
      ['no grantee', { grantee: undefined }],
      ['no granteeTenant', { granteeTenant: undefined }],
      ['a granteeTenant that is not a tenant id', { granteeTenant: 'platform/x' }],
      ['an expiry that is not ISO-8601', { expiresAt: 'tomorrow' }],
      ['an empty permission list', { permissions: [] }],
      ['an unknown field', { tenantId: 'globex' }],
    ])('refuses a malformed body (%s) with 400', async (_, overrides) => {
      expectProblem(await grant({ grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inMs(DAY), ...overrides }), 400);
    });

    it('revoking an unknown grant is 404; a malformed id is 400', async () => {
      expectProblem(await revoke('0123456789abcdef0123456789abcdef'), 404);
      expectProblem(await revoke('not-a-grant-id'), 400);
    });

    it("another tenant's grant can be neither seen nor revoked (404)", async () => {
      const { id } = await issue();
      expectProblem(await revoke(id, globexAdmin), 404);
      expect((await listGrants(globexAdmin).expect(200)).body.items.map((g: { id: string }) => g.id)).not.toContain(id);
      await into('acme', '/v1/audit-events').expect(200);
    });

    it('needs grants:manage', async () => {
      expectProblem(await grant({ grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inMs(DAY) }, acmeOfficer), 403);
      expectProblem(await listGrants(acmeOfficer), 403);
    });

    it('records issue and revoke in the tenant log with the grant and its before/after', async () => {
      const { id } = await issue({ permissions: ['audit:read', 'reports:read'] });
      await revoke(id).expect(204);
      const [created] = (await acmeRecordsOf('cross_tenant_grant.create')).filter((e) => e.resource.id === id);
      expect(created).toMatchObject({
        outcome: 'success',
        actor: { id: 'root-alice' },
        resource: { type: 'cross_tenant_grant', id },
        changes: { before: null, after: { grantee: 'ops-jane', granteeTenant: 'platform', permissions: ['audit:read', 'reports:read'], status: 'issued' } },
      });
      const [revoked] = (await acmeRecordsOf('cross_tenant_grant.revoke')).filter((e) => e.resource.id === id);
      expect(revoked).toMatchObject({ outcome: 'success', changes: { before: { status: 'issued' }, after: { status: 'revoked' } } });
    });
  });
});

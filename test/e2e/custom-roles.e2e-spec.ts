import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { aggregateStreamOf } from '../../src/event-store/stream-names';
import { auditApi } from '../support/audit-api';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'root-gina' });

/** A caller of `tenant` whose only role is `role` (a custom role, if the tenant defined one). */
const holderOf = (role: string, tenant = 'acme', sub = 'rita') => bearer({ tenant, roles: [role], sub });

function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
}

describe('Custom roles per tenant (/v1/roles)', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  const http = () => request(t.app.getHttpServer());
  const create = (body: Record<string, unknown>, token = admin) => http().post('/v1/roles').set('Authorization', token).send(body);
  const update = (name: string, body: Record<string, unknown>, token = admin) => http().put(`/v1/roles/${name}`).set('Authorization', token).send(body);
  const remove = (name: string, token = admin) => http().delete(`/v1/roles/${name}`).set('Authorization', token);
  const get = (name: string, token = admin) => http().get(`/v1/roles/${name}`).set('Authorization', token);
  /** The self-audit records of `action`, everything recorded so far applied. */
  const recordsOf = async (action: string) => api.list(officer, `action=${action}`, await api.head(officer));

  beforeAll(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
  });
  afterAll(() => t.close());

  describe('create, read, replace, delete', () => {
    it('creates a role (201, Location) that list and detail show at once', async () => {
      const res = await create({ name: 'finance_reviewer', permissions: ['reports:read', 'audit:read'], description: 'Reviews finance' }).expect(201);
      expect(res.headers.location).toBe('/v1/roles/finance_reviewer');
      expect(res.body).toEqual({
        name: 'finance_reviewer',
        permissions: ['audit:read', 'reports:read'],
        description: 'Reviews finance',
        createdAt: expect.any(String),
        createdBy: 'root-alice',
        updatedAt: res.body.createdAt,
        updatedBy: 'root-alice',
        revision: 0,
      });
      expect((await get('finance_reviewer').expect(200)).body).toEqual(res.body);
      const list = await http().get('/v1/roles').set('Authorization', admin).expect(200);
      expect(list.body.items).toContainEqual(res.body);
    });

    it('replaces the permissions with PUT, keeping the description when none is given', async () => {
      await create({ name: 'replaced', permissions: ['audit:read'], description: 'kept' }).expect(201);
      const res = await update('replaced', { permissions: ['audit:verify', 'audit:export'] }).expect(200);
      expect(res.body).toMatchObject({ name: 'replaced', permissions: ['audit:export', 'audit:verify'], description: 'kept', revision: 1, updatedBy: 'root-alice' });
      expect((await get('replaced').expect(200)).body).toEqual(res.body);
      const cleared = await update('replaced', { permissions: ['audit:verify', 'audit:export'], description: null }).expect(200);
      expect(cleared.body).toMatchObject({ description: null, revision: 2 });
    });

    it('deletes with 204; then detail and a second delete are 404 and the list no longer has it', async () => {
      await create({ name: 'short_lived', permissions: ['audit:read'] }).expect(201);
      await remove('short_lived').expect(204);
      expectProblem(await get('short_lived'), 404);
      expectProblem(await remove('short_lived'), 404);
      const list = await http().get('/v1/roles').set('Authorization', admin).expect(200);
      expect(list.body.items.map((r: { name: string }) => r.name)).not.toContain('short_lived');
    });

    it('may define a deleted name again', async () => {
      await create({ name: 'phoenix', permissions: ['audit:read'] }).expect(201);
      await remove('phoenix').expect(204);
      const res = await create({ name: 'phoenix', permissions: ['reports:read'] }).expect(201);
      expect(res.body).toMatchObject({ permissions: ['reports:read'], revision: 2 });
    });

    it('PUT or DELETE of a role that never existed is 404', async () => {
      expectProblem(await update('never_was', { permissions: ['audit:read'] }), 404);
      expectProblem(await remove('never_was'), 404);
    });
  });

  describe('is event-sourced, one stream per role', () => {
    it('writes TenantRoleDefined.v1, TenantRoleChanged.v1, TenantRoleDeleted.v1 to role-<tenant>-<name>', async () => {
      await create({ name: 'sourced', permissions: ['audit:read'] }).expect(201);
      await update('sourced', { permissions: ['audit:export'] }).expect(200);
      await remove('sourced').expect(204);
      const events = await t.app.get<EventStore>(EVENT_STORE).readStream(aggregateStreamOf('role', 'acme', 'sourced'));
      expect(events.map((e) => [e.revision, e.type])).toEqual([
        [0, 'TenantRoleDefined.v1'],
        [1, 'TenantRoleChanged.v1'],
        [2, 'TenantRoleDeleted.v1'],
      ]);
      expect(events[1].data).toMatchObject({ tenantId: 'acme', name: 'sourced', permissions: ['audit:export'], by: 'root-alice' });
    });

    it('a PUT with the same definition writes no event', async () => {
      await create({ name: 'steady', permissions: ['audit:read'] }).expect(201);
      const res = await update('steady', { permissions: ['audit:read'] }).expect(200);
      expect(res.body.revision).toBe(0);
      expect(await t.app.get<EventStore>(EVENT_STORE).readStream(aggregateStreamOf('role', 'acme', 'steady'))).toHaveLength(1);
    });

    it('answers 409 when another writer changed the role between read and append (expected revision)', async () => {
      await create({ name: 'contended', permissions: ['audit:read'] }).expect(201);
      const store = t.app.get<EventStore>(EVENT_STORE);
      const stream = aggregateStreamOf('role', 'acme', 'contended');
      const readStream = store.readStream.bind(store);
      const spy = jest.spyOn(store, 'readStream').mockImplementationOnce(async (name, options) => {
        const seen = await readStream(name, options);
        // Another instance's change lands right after this request read the stream.
        await store.append(stream, [{ id: randomUUID(), type: 'TenantRoleChanged.v1', data: { ...seen[0].data, permissions: ['audit:verify'] } }], 0);
        return seen;
      });
      try {
        const res = await update('contended', { permissions: ['audit:export'] });
        expectProblem(res, 409);
        expect(res.body.type).toMatch(/concurrent-modification$/);
      } finally {
        spy.mockRestore();
      }
      const events = await store.readStream(stream);
      expect(events).toHaveLength(2); // the refused change was not appended
    });
  });

  describe('refusals', () => {
    it('unknown or platform-only permissions → 422 problem+json with errors[] paths, nothing written', async () => {
      const res = await create({ name: 'bogus', permissions: ['audit:read', 'audit:delete', 'audit:write:any-tenant'] });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([
        { path: 'permissions[1]', message: '"audit:delete" is not a known permission' },
        { path: 'permissions[2]', message: expect.stringMatching(/platform permission/) },
      ]);
      expectProblem(await get('bogus'), 404);
      expect(await t.app.get<EventStore>(EVENT_STORE).readStream(aggregateStreamOf('role', 'acme', 'bogus'))).toEqual([]);
    });

    it('unknown permissions in a PUT → 422 and the role is unchanged', async () => {
      await create({ name: 'unchanged', permissions: ['audit:read'] }).expect(201);
      const res = await update('unchanged', { permissions: ['reports:read', 'reports:delete'] });
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ path: 'permissions[1]', message: '"reports:delete" is not a known permission' }]);
      expect((await get('unchanged').expect(200)).body.permissions).toEqual(['audit:read']);
    });

    it.each(['super_admin', 'platform_admin', 'Auditor', 'STANDARD_USER'])('a built-in role name (%s) cannot be defined → 409', async (name) => {
      const res = await create({ name, permissions: ['audit:read'] });
      expectProblem(res, 409);
      expect(res.body.detail).toMatch(/built-in/);
    });

    it('a built-in role cannot be replaced or deleted → 409', async () => {
      expectProblem(await update('auditor', { permissions: ['roles:manage'] }), 409);
      expectProblem(await remove('super_admin'), 409);
    });

    it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'])(
      'a name that collides with an Object.prototype member (%s) → 422 naming "name", nothing written',
      async (name) => {
        const res = await create({ name, permissions: ['audit:read'] });
        expectProblem(res, 422);
        expect(res.body.errors).toEqual([{ path: 'name', message: expect.stringMatching(/reserved/) }]);
        expect(await t.app.get<EventStore>(EVENT_STORE).readStream(aggregateStreamOf('role', 'acme', name))).toEqual([]);
        const list = await http().get('/v1/roles').set('Authorization', admin).expect(200);
        expect(list.body.items.map((r: { name: string }) => r.name)).not.toContain(name);
        expectProblem(await update(name, { permissions: ['audit:read'] }), 422);
        expectProblem(await remove(name), 422);
      },
    );

    it('a taken name → 409', async () => {
      await create({ name: 'taken', permissions: ['audit:read'] }).expect(201);
      const res = await create({ name: 'taken', permissions: ['reports:read'] });
      expectProblem(res, 409);
      expect((await get('taken').expect(200)).body.permissions).toEqual(['audit:read']);
    });

    it.each<[string, string, Record<string, unknown>]>([
      ['a name with "-"', 'name', { name: 'finance-reviewer', permissions: ['audit:read'] }],
      ['a name longer than 64', 'name', { name: 'r'.repeat(65), permissions: ['audit:read'] }],
      ['no name', 'name', { permissions: ['audit:read'] }],
      ['no permissions', 'permissions', { name: 'x1' }],
      ['an empty permission list', 'permissions', { name: 'x2', permissions: [] }],
      ['permissions as a string', 'permissions', { name: 'x3', permissions: 'audit:read' }],
      ['a repeated permission', 'permissions', { name: 'x4', permissions: ['audit:read', 'audit:read'] }],
      ['an unknown field', 'tenantId', { name: 'x5', permissions: ['audit:read'], tenantId: 'globex' }],
    ])('a malformed body (%s) → 400 problem+json naming %s', async (_, path, body) => {
      const res = await create(body);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    });

    it('a malformed name in the path → 400', async () => {
      const res = await get('no-dashes');
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: 'name', message: expect.any(String) }]);
    });

    it('needs roles:manage: a compliance officer is refused with 403 on every route', async () => {
      await create({ name: 'guarded', permissions: ['audit:read'] }).expect(201);
      expectProblem(await create({ name: 'by_officer', permissions: ['audit:read'] }, officer), 403);
      expectProblem(await http().get('/v1/roles').set('Authorization', officer), 403);
      expectProblem(await get('guarded', officer), 403);
      expectProblem(await update('guarded', { permissions: ['roles:manage'] }, officer), 403);
      expectProblem(await remove('guarded', officer), 403);
      expect((await get('guarded').expect(200)).body.permissions).toEqual(['audit:read']);
    });
  });

  describe('permission resolution: a token naming a custom role of its tenant holds its permissions', () => {
    it('from the moment the role is created, changed or deleted', async () => {
      const reviewer = holderOf('live_reviewer');
      expectProblem(await http().get('/v1/audit-events').set('Authorization', reviewer), 403); // not defined yet: grants nothing

      await create({ name: 'live_reviewer', permissions: ['audit:read'] }).expect(201);
      await http().get('/v1/audit-events').set('Authorization', reviewer).expect(200);
      expectProblem(await http().get('/v1/integrity/verify').set('Authorization', reviewer), 403);

      await update('live_reviewer', { permissions: ['audit:verify'] }).expect(200);
      await http().get('/v1/integrity/verify').set('Authorization', reviewer).expect(200);
      expectProblem(await http().get('/v1/audit-events').set('Authorization', reviewer), 403);

      await remove('live_reviewer').expect(204);
      expectProblem(await http().get('/v1/integrity/verify').set('Authorization', reviewer), 403);
    });

    it('adds to the built-in roles of the same token', async () => {
      await create({ name: 'verifier_extra', permissions: ['audit:verify'] }).expect(201);
      const both = bearer({ roles: ['standard_user', 'verifier_extra'], sub: 'sam' });
      await http().get('/v1/integrity/verify').set('Authorization', both).expect(200);
      await http().get('/v1/audit-events').set('Authorization', both).expect(200);
    });

    it('a custom role with audit:read:own sees only its holder\'s own records', async () => {
      await create({ name: 'own_reader', permissions: ['audit:read:own'] }).expect(201);
      const own = holderOf('own_reader', 'acme', 'only-me');
      const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
      await api.record(writer, [
        { occurredAt: '2026-11-20T10:00:00Z', actor: { id: 'only-me', type: 'user' }, action: 'doc.view', resource: { type: 'doc', id: 'D1' }, channel: 'ui' },
        { occurredAt: '2026-11-20T10:00:00Z', actor: { id: 'someone-else', type: 'user' }, action: 'doc.view', resource: { type: 'doc', id: 'D1' }, channel: 'ui' },
      ]);
      const items = await api.list(own, 'action=doc.view', await api.head(officer));
      expect(items.map((e) => e.actor.id)).toEqual(['only-me']);
    });

    it("another tenant's role of the same name grants nothing, and is not visible (404)", async () => {
      await create({ name: 'acme_only', permissions: ['audit:read'] }).expect(201);
      expectProblem(await http().get('/v1/audit-events').set('Authorization', holderOf('acme_only', 'globex')), 403);
      expectProblem(await get('acme_only', globexAdmin), 404);
      expectProblem(await update('acme_only', { permissions: ['roles:manage'] }, globexAdmin), 404);
      expectProblem(await remove('acme_only', globexAdmin), 404);
      const list = await http().get('/v1/roles').set('Authorization', globexAdmin).expect(200);
      expect(list.body.items.map((r: { name: string }) => r.name)).not.toContain('acme_only');
      // Each tenant has its own namespace: globex may define the same name.
      await create({ name: 'acme_only', permissions: ['reports:read'] }, globexAdmin).expect(201);
      expect((await get('acme_only').expect(200)).body.permissions).toEqual(['audit:read']);
    });

    it('a role name the tenant never defined grants nothing', async () => {
      expectProblem(await http().get('/v1/audit-events').set('Authorization', holderOf('ghost_role')), 403);
    });
  });

  describe('is recorded in the tenant audit log (security-configuration changes)', () => {
    it('records create, update and delete with the role, the caller and the before/after', async () => {
      await create({ name: 'audited', permissions: ['audit:read'] }).expect(201);
      await update('audited', { permissions: ['audit:read', 'audit:export'] }).expect(200);
      await remove('audited').expect(204);

      const [created] = (await recordsOf('role.create')).filter((e) => e.resource.id === 'audited');
      expect(created).toMatchObject({
        tenantId: 'acme',
        outcome: 'success',
        actor: { id: 'root-alice', role: 'super_admin' },
        resource: { type: 'role', id: 'audited' },
        changes: { before: null, after: { permissions: ['audit:read'], description: null } },
        metadata: { method: 'POST', route: '/v1/roles' },
      });
      const [updated] = (await recordsOf('role.update')).filter((e) => e.resource.id === 'audited');
      expect(updated).toMatchObject({
        outcome: 'success',
        changes: { before: { permissions: ['audit:read'] }, after: { permissions: ['audit:export', 'audit:read'] } },
      });
      const [deleted] = (await recordsOf('role.delete')).filter((e) => e.resource.id === 'audited');
      expect(deleted).toMatchObject({ outcome: 'success', changes: { before: { permissions: ['audit:export', 'audit:read'] }, after: null } });
    });

    it('records a refused change (409) as a failure, and a 422 not at all', async () => {
      await create({ name: 'Platform_Ingestor', permissions: ['audit:read'] }).expect(409);
      await create({ name: 'never_recorded', permissions: ['nope'] }).expect(422);
      const failures = (await recordsOf('role.create')).filter((e) => e.resource.id === 'Platform_Ingestor' || e.resource.id === 'never_recorded');
      expect(failures).toEqual([
        expect.objectContaining({ outcome: 'failure', resource: { type: 'role', id: 'Platform_Ingestor' }, metadata: expect.objectContaining({ status: 409 }) }),
      ]);
    });

    it('records reads of roles too', async () => {
      await http().get('/v1/roles').set('Authorization', admin).expect(200);
      expect(await recordsOf('roles.list')).toContainEqual(expect.objectContaining({ resource: { type: 'role', id: 'acme' }, actor: expect.objectContaining({ id: 'root-alice' }) }));
    });
  });
});

describe('Custom roles with projections in a worker thread', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PROJECTION_MODE: 'worker' } });
  }, 60_000);
  afterAll(() => t.close());

  it('a change is in force when it answers, although the read model is written by another thread', async () => {
    const http = () => request(t.app.getHttpServer());
    const reviewer = holderOf('worker_reviewer');
    expect((await http().get('/v1/audit-events').set('Authorization', reviewer)).status).toBe(403);
    await http().post('/v1/roles').set('Authorization', admin).send({ name: 'worker_reviewer', permissions: ['audit:read'] }).expect(201);
    await http().get('/v1/audit-events').set('Authorization', reviewer).expect(200);
    await http().get('/v1/roles/worker_reviewer').set('Authorization', admin).expect(200);
    await http().delete('/v1/roles/worker_reviewer').set('Authorization', admin).expect(204);
    expect((await http().get('/v1/audit-events').set('Authorization', reviewer)).status).toBe(403);
  }, 30_000);
});

describe('A role event that cannot be applied (issue 14 item 2)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('fails closed: the role grants nothing once one of its events is parked, and /health names it', async () => {
    const http = () => request(t.app.getHttpServer());
    await http().post('/v1/roles').set('Authorization', admin).send({ name: 'reader', permissions: ['audit:read'] }).expect(201);
    await http().get('/v1/audit-events').set('Authorization', holderOf('reader')).expect(200);

    // E.g. a change that would have narrowed the role: it must not leave the old, broader permissions in force.
    const stream = aggregateStreamOf('role', 'acme', 'reader');
    await t.app.get<EventStore>(EVENT_STORE).append(stream, [{ id: randomUUID(), type: 'TenantRoleChanged.v1', data: {}, serializedData: 'null' }], 0);
    let health = (await http().get('/health')).body;
    for (let i = 0; i < 200 && !health.problems; i++) {
      await new Promise((r) => setTimeout(r, 25));
      health = (await http().get('/health')).body;
    }
    expect(health).toMatchObject({ status: 'degraded', problems: [{ projection: 'tenant_roles', parkedCount: 1 }] });

    expectProblem(await http().get('/v1/audit-events').set('Authorization', holderOf('reader')), 403);
    await http().get('/v1/roles/reader').set('Authorization', admin).expect(404);
  });
});

import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { TENANT_SETTINGS, TenantSettingsReader } from '../../src/tenant-settings/tenant-settings.port';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const auditor = bearer({ roles: ['auditor'], sub: 'audrey' });
const standard = bearer({ roles: ['standard_user'], sub: 'sam' });
const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'gus' });

describe('Tenant settings: GET/PUT /v1/tenant-settings', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  async function selfAuditRecords(action: string, tenant = admin): Promise<Array<Record<string, unknown>>> {
    const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
    await t.app.get(ProjectionRegistry).runner('audit_log').waitFor(head!, 5000);
    return (await http().get(`/v1/audit-events?action=${action}`).set('Authorization', tenant).expect(200)).body.items;
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers UTC, version 0, for a tenant that never set a timezone (and timezoneOf says UTC)', async () => {
    const res = await http().get('/v1/tenant-settings').set('Authorization', auditor).expect(200);
    expect(res.body).toEqual({ timezone: 'UTC', version: 0, updatedAt: null, updatedBy: null });
    expect(await t.app.get<TenantSettingsReader>(TENANT_SETTINGS).timezoneOf('acme')).toBe('UTC');
  });

  it('PUT by a super admin stores the canonical IANA name, bumps the version, and the next GET and timezoneOf show it', async () => {
    const res = await http().put('/v1/tenant-settings').set('Authorization', admin).send({ timezone: 'europe/berlin' }).expect(200);
    expect(res.body).toEqual({ timezone: 'Europe/Berlin', version: 1, updatedAt: expect.any(String), updatedBy: 'root-alice' });
    expect((await http().get('/v1/tenant-settings').set('Authorization', officer).expect(200)).body).toMatchObject({ timezone: 'Europe/Berlin', version: 1 });
    expect(await t.app.get<TenantSettingsReader>(TENANT_SETTINGS).timezoneOf('acme')).toBe('Europe/Berlin');
  });

  it('is self-audited as tenant_settings.update with before and after', async () => {
    const [record] = await selfAuditRecords('tenant_settings.update');
    expect(record).toMatchObject({ action: 'tenant_settings.update', outcome: 'success', actor: { id: 'root-alice' } });
    expect(record.changes).toEqual({ before: { timezone: 'UTC' }, after: { timezone: 'Europe/Berlin' } });
  });

  it('PUT of the same timezone writes no new version', async () => {
    const res = await http().put('/v1/tenant-settings').set('Authorization', admin).send({ timezone: 'Europe/Berlin' }).expect(200);
    expect(res.body.version).toBe(1);
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ timezone: '+02:00' }, 'timezone'],
    [{}, 'timezone'],
    [{ timezone: 'UTC', locale: 'de' }, 'locale'],
  ])('PUT %j is a 400 problem naming %s and changes nothing', async (body, path) => {
    const res = await http().put('/v1/tenant-settings').set('Authorization', admin).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect((await http().get('/v1/tenant-settings').set('Authorization', admin).expect(200)).body).toMatchObject({ timezone: 'Europe/Berlin', version: 1 });
  });

  it('PUT needs alerts:config:write: a compliance officer is refused (403)', async () => {
    await http().put('/v1/tenant-settings').set('Authorization', officer).send({ timezone: 'UTC' }).expect(403);
  });

  it('GET needs a compliance permission: a standard user is refused (403)', async () => {
    await http().get('/v1/tenant-settings').set('Authorization', standard).expect(403);
  });

  it("another tenant sees its own default, not acme's timezone", async () => {
    expect((await http().get('/v1/tenant-settings').set('Authorization', globexAdmin).expect(200)).body).toMatchObject({ timezone: 'UTC', version: 0 });
  });
});

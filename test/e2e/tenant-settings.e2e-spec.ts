import request from 'supertest';
import { TENANT_SETTINGS, TenantSettingsReader } from '../../src/tenant-settings/tenant-settings.port';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const auditor = bearer({ roles: ['auditor'], sub: 'audrey' });
const standard = bearer({ roles: ['standard_user'], sub: 'sam' });
const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'gus' });

describe('Tenant settings: GET/PUT /v1/tenant-settings', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  async function selfAuditRecords(action: string, tenant = admin): Promise<Array<Record<string, unknown>>> {
    expect(await projectionSettled(t.app, 'audit_log')).toBe(true);
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

describe("The tenant timezone is the default of outside_hours rules without a timezone of their own", () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  const writer = bearer({ roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
  // Friday 2026-11-20: 02:00 UTC is 11:00 in Tokyo (business hours there), 12:00 UTC is 21:00 in Tokyo (outside).
  const sensitiveRead = (actor: string, occurredAt: string) =>
    auditEvent({ occurredAt, actor: { id: actor, type: 'user' }, action: 'customer.read', resource: { type: 'customer', id: `C-${actor}`, sensitivity: 'personal' }, changes: undefined });

  async function outsideHoursAlertsOf(actor: string): Promise<unknown[]> {
    expect(await projectionSettled(t.app, 'monitoring')).toBe(true);
    const items = (await http().get('/v1/alerts?ruleId=sensitive-access-outside-hours').set('Authorization', admin).expect(200)).body.items as Array<{ groupKey: Record<string, string> }>;
    return items.filter((a) => a.groupKey['actor.id'] === actor);
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('the built-in sensitive-access-outside-hours rule names no timezone of its own (it follows the tenant)', async () => {
    const rule = (await http().get('/v1/monitoring-rules/sensitive-access-outside-hours').set('Authorization', admin).expect(200)).body;
    expect(rule.condition.timezone).toBeUndefined();
  });

  it('with the tenant in Asia/Tokyo, 11:00 Tokyo raises nothing and 21:00 Tokyo raises an alert', async () => {
    await http().put('/v1/tenant-settings').set('Authorization', admin).send({ timezone: 'Asia/Tokyo' }).expect(200);
    await http().post('/v1/audit-events').set('Authorization', writer).send(sensitiveRead('daytime-tokyo', '2026-11-20T02:00:00.000Z')).expect(201);
    await http().post('/v1/audit-events').set('Authorization', writer).send(sensitiveRead('evening-tokyo', '2026-11-20T12:00:00.000Z')).expect(201);
    expect(await outsideHoursAlertsOf('daytime-tokyo')).toHaveLength(0);
    expect(await outsideHoursAlertsOf('evening-tokyo')).toHaveLength(1);
  });

  it('a backtest of the built-in rule uses the tenant timezone too', async () => {
    const res = await http()
      .post('/v1/monitoring-rules/backtest')
      .set('Authorization', admin)
      .send({ ruleId: 'sensitive-access-outside-hours', from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' })
      .expect(200);
    expect(res.body.alerts.map((a: { groupKey: Record<string, string> }) => a.groupKey['actor.id'])).toEqual(['evening-tokyo']);
  });

  it('another tenant (never set: UTC) still alerts at 02:00 UTC', async () => {
    const globexWriter = bearer({ tenant: 'globex', roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
    await http().post('/v1/audit-events').set('Authorization', globexWriter).send(sensitiveRead('night-utc', '2026-11-20T02:00:00.000Z')).expect(201);
    expect(await projectionSettled(t.app, 'monitoring')).toBe(true);
    const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'gus' });
    const items = (await http().get('/v1/alerts?ruleId=sensitive-access-outside-hours').set('Authorization', globexAdmin).expect(200)).body.items;
    expect(items).toHaveLength(1);
  });
});

import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { MONITORING_PROJECTION } from '../../src/monitoring/engine/monitoring-engine.read-model';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

const writer = bearer({ roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const auditor = bearer({ roles: ['auditor'], sub: 'audrey' });
const globexOfficer = bearer({ tenant: 'globex', roles: ['compliance_officer'], sub: 'gina' });

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const deniedRoleAssign = (actor: string, seconds: number) =>
  auditEvent({ id: randomUUID(), occurredAt: at(seconds), actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api' });

type Alert = Record<string, unknown> & { id: string; eventIds: string[]; auditLogLink: string };

describe('Monitoring: rules engine, rules API and alerts over HTTP', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  const http = () => request(t.app.getHttpServer());

  /** Waits until the rules engine and the audit log have applied everything recorded so far (no sleeping). */
  async function engineSettled(): Promise<void> {
    for (const projection of [MONITORING_PROJECTION, 'audit_log']) expect(await projectionSettled(t.app, projection)).toBe(true);
  }
  async function alertsOf(ruleId: string, token = officer): Promise<Alert[]> {
    await engineSettled();
    const res = await http().get(`/v1/alerts?ruleId=${ruleId}`).set('Authorization', token).expect(200);
    return res.body.items as Alert[];
  }

  beforeAll(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
  });
  afterAll(() => t.close());

  describe('privilege-escalation-attempts (5 denied role changes by one actor in 600 s)', () => {
    let first: Alert;
    let bobEvents: Array<Record<string, unknown>>;

    it('raises exactly one alert for five denied role.assign events by bob, naming the five, at rule version 1', async () => {
      bobEvents = [0, 30, 60, 90, 120].map((s) => deniedRoleAssign('bob', s));
      await api.record(writer, bobEvents.slice(0, 4));
      expect(await alertsOf('privilege-escalation-attempts')).toEqual([]);
      await api.record(writer, bobEvents.slice(4));
      const alerts = await alertsOf('privilege-escalation-attempts');
      expect(alerts).toHaveLength(1);
      first = alerts[0];
      expect(first).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        ruleId: 'privilege-escalation-attempts',
        ruleVersion: 1,
        severity: 'high',
        status: 'open',
        groupKey: { 'actor.id': 'bob' },
        firstEventAt: at(0),
        lastEventAt: at(120),
        eventCount: 5,
        eventIds: bobEvents.map((e) => e.id),
        history: [{ by: 'system', status: 'open', at: expect.any(String) }],
      });
    });

    it('its auditLogLink lists exactly the five triggering events', async () => {
      const res = await http().get(first.auditLogLink).set('Authorization', officer).expect(200);
      expect((res.body.items as Array<{ id: string }>).map((e) => e.id).sort()).toEqual(bobEvents.map((e) => e.id as string).sort());
    });

    it('a sixth denied attempt within the suppression hour joins the alert (eventCount 6, lastEventAt, eventIds grow) instead of raising another', async () => {
      const sixth = deniedRoleAssign('bob', 1800);
      await api.record(writer, [sixth]);
      const alerts = await alertsOf('privilege-escalation-attempts');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ id: first.id, eventCount: 6, lastEventAt: at(1800), eventIds: [...bobEvents.map((e) => e.id), sixth.id] });
    });

    it('another tenant sees none of it: empty list, 404 on the id', async () => {
      expect(await alertsOf('privilege-escalation-attempts', globexOfficer)).toEqual([]);
      await http().get(`/v1/alerts/${first.id}`).set('Authorization', globexOfficer).expect(404);
      await http().post(`/v1/alerts/${first.id}/acknowledge`).set('Authorization', bearer({ tenant: 'globex', roles: ['super_admin'] })).send({}).expect(404);
    });

    it('four denied attempts each by two other actors raise nothing', async () => {
      await api.record(writer, [0, 1, 2, 3].flatMap((s) => [deniedRoleAssign('dave', s), deniedRoleAssign('erin', s)]));
      expect((await alertsOf('privilege-escalation-attempts')).map((a) => a.groupKey)).toEqual([{ 'actor.id': 'bob' }]);
    });
  });

  describe('sensitive-access-outside-hours (personal, financial, restricted outside Mon-Fri 08:00-18:00 UTC)', () => {
    const access = (actor: string, occurredAt: string, sensitivity: string) =>
      auditEvent({ occurredAt, actor: { id: actor, type: 'user' }, action: 'customer.read', outcome: 'success', resource: { type: 'customer', id: 'C-1', sensitivity } });

    it('raises for a Saturday access to personal data, not for a Friday 10:00 one nor for public data; a second Saturday access within the hour joins', async () => {
      // 2026-11-21 is a Saturday, 2026-11-20 a Friday.
      await api.record(writer, [
        access('kim', '2026-11-20T10:00:00.000Z', 'personal'),
        access('kim', '2026-11-21T12:00:00.000Z', 'public'),
        access('kim', '2026-11-21T12:00:00.000Z', 'restricted'),
        access('kim', '2026-11-21T12:30:00.000Z', 'financial'),
      ]);
      const alerts = await alertsOf('sensitive-access-outside-hours');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ severity: 'medium', groupKey: { 'actor.id': 'kim' }, eventCount: 2, firstEventAt: '2026-11-21T12:00:00.000Z', lastEventAt: '2026-11-21T12:30:00.000Z' });
    });

    it("its auditLogLink lists exactly its two events, newest first: not kim's public access in the same minute, which no list filter could leave out", async () => {
      const [alert] = await alertsOf('sensitive-access-outside-hours');
      const res = await http().get(alert.auditLogLink).set('Authorization', officer).expect(200);
      expect((res.body.items as Array<{ id: string }>).map((e) => e.id)).toEqual([...alert.eventIds].reverse());
      expect(res.body.nextCursor).toBeNull();
    });

    it('alertId needs alerts:read (auditor 403), names an alert of your tenant (another tenant 404) and is validated (400)', async () => {
      const [alert] = await alertsOf('sensitive-access-outside-hours');
      await http().get(alert.auditLogLink).set('Authorization', auditor).expect(403);
      await http().get(alert.auditLogLink).set('Authorization', globexOfficer).expect(404);
      await http().get('/v1/audit-events?alertId=not-an-alert').set('Authorization', officer).expect(400);
    });

    it('filters alerts by severity and by raisedAt (from inclusive, to exclusive)', async () => {
      const [alert] = await alertsOf('sensitive-access-outside-hours');
      const ids = async (query: string) => ((await http().get(`/v1/alerts?${query}`).set('Authorization', officer).expect(200)).body.items as Alert[]).map((a) => a.id);
      expect(await ids('severity=medium&ruleId=sensitive-access-outside-hours')).toEqual([alert.id]);
      expect(await ids('severity=high&ruleId=sensitive-access-outside-hours')).toEqual([]);
      expect(await ids(`ruleId=sensitive-access-outside-hours&from=${alert.raisedAt}`)).toEqual([alert.id]);
      expect(await ids(`ruleId=sensitive-access-outside-hours&to=${alert.raisedAt}`)).toEqual([]);
    });
  });

  describe('an alert with more events than its eventIds keep', () => {
    it('lists all 120 events of the alert through the link, page by page (eventIds keep the first 100)', async () => {
      const events = Array.from({ length: 120 }, (_, i) => deniedRoleAssign('zed', i));
      await api.record(writer, events);
      const [alert] = (await alertsOf('privilege-escalation-attempts')).filter((a) => (a.groupKey as Record<string, string>)['actor.id'] === 'zed');
      expect(alert).toMatchObject({ eventCount: 120, eventIds: events.slice(0, 100).map((e) => e.id) });
      const listed: string[] = [];
      let next: string | null = alert.auditLogLink.replace('limit=500', 'limit=50');
      let pages = 0;
      while (next) {
        const res: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await http().get(next).set('Authorization', officer).expect(200);
        listed.push(...res.body.items.map((e) => e.id));
        pages++;
        next = res.body.nextCursor ? `${alert.auditLogLink.replace('limit=500', 'limit=50')}&cursor=${encodeURIComponent(res.body.nextCursor)}` : null;
      }
      expect(pages).toBe(3);
      expect(listed).toEqual(events.map((e) => e.id as string).reverse());
    });
  });

  describe('triage', () => {
    let alert: Alert;
    beforeAll(async () => {
      await api.record(writer, [0, 1, 2, 3, 4].map((s) => deniedRoleAssign('frank', s)));
      [alert] = (await alertsOf('privilege-escalation-attempts')).filter((a) => (a.groupKey as Record<string, string>)['actor.id'] === 'frank');
    });

    it('an auditor may neither read nor triage alerts (403)', async () => {
      await http().get(`/v1/alerts/${alert.id}`).set('Authorization', auditor).expect(403);
      await http().post(`/v1/alerts/${alert.id}/acknowledge`).set('Authorization', auditor).send({}).expect(403);
    });

    it('a compliance officer acknowledges with a note (history grows), cannot acknowledge twice (409), then resolves', async () => {
      const ack = await http().post(`/v1/alerts/${alert.id}/acknowledge`).set('Authorization', officer).send({ note: 'looking into it' }).expect(200);
      expect(ack.body).toMatchObject({ id: alert.id, status: 'acknowledged', history: [{ status: 'open' }, { status: 'acknowledged', by: 'carol', note: 'looking into it' }] });
      const again = await http().post(`/v1/alerts/${alert.id}/acknowledge`).set('Authorization', officer).send({});
      expect(again.status).toBe(409);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      await http().post(`/v1/alerts/${alert.id}/resolve`).set('Authorization', officer).send({ note: 'test account' }).expect(200);
      await engineSettled();
      const detail = await http().get(`/v1/alerts/${alert.id}`).set('Authorization', officer).expect(200);
      expect(detail.body).toMatchObject({ status: 'resolved', history: [{ status: 'open' }, { status: 'acknowledged' }, { status: 'resolved', by: 'carol', note: 'test account' }] });
      await http().post(`/v1/alerts/${alert.id}/dismiss`).set('Authorization', officer).send({}).expect(409);
    });

    it('each triage step is recorded in the audit log as alert.acknowledge / alert.resolve with the alert as resource', async () => {
      const head = await api.head(officer);
      for (const action of ['alert.acknowledge', 'alert.resolve']) {
        const records = await api.list(officer, `action=${action}&outcome=success`, head);
        expect(records.map((r) => r.resource)).toEqual([expect.objectContaining({ type: 'alert', id: alert.id })]);
      }
    });

    it('pages newest first with limit and nextCursor: the pages together are the whole list, without repeats', async () => {
      await engineSettled();
      const all = (await http().get('/v1/alerts?limit=500').set('Authorization', officer).expect(200)).body.items as Alert[];
      expect(all.length).toBeGreaterThanOrEqual(2);
      const raised = all.map((a) => `${a.raisedAt}|${a.id}`);
      expect(raised).toEqual([...raised].sort().reverse());
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await http().get(`/v1/alerts?limit=1${cursor ? `&cursor=${cursor}` : ''}`).set('Authorization', officer).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(1);
        paged.push(...res.body.items.map((a: Alert) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all.map((a) => a.id));
    });

    it('filters by status and answers 400 for an unknown status or a foreign cursor', async () => {
      await engineSettled();
      const resolved = await http().get('/v1/alerts?status=resolved').set('Authorization', officer).expect(200);
      expect(resolved.body.items.map((a: Alert) => a.id)).toEqual([alert.id]);
      await http().get('/v1/alerts?status=closed').set('Authorization', officer).expect(400);
      await http().get('/v1/alerts?cursor=abc').set('Authorization', officer).expect(400);
      await http().get('/v1/alerts/not-an-id').set('Authorization', officer).expect(400);
    });
  });

  describe('rules API', () => {
    it('lists the four built-in rules for a tenant that never touched them', async () => {
      const res = await http().get('/v1/monitoring-rules').set('Authorization', globexOfficer).expect(200);
      expect(res.body.items.map((r: { id: string; builtIn: boolean; version: number }) => [r.id, r.builtIn, r.version])).toEqual([
        ['privilege-escalation-attempts', true, 1],
        ['sensitive-access-outside-hours', true, 1],
        ['mass-export-or-deletion', true, 1],
        ['security-config-change', true, 1],
      ]);
    });

    it('a compliance officer may read rules but not change them (403)', async () => {
      await http().get('/v1/monitoring-rules/security-config-change').set('Authorization', officer).expect(200);
      await http().post('/v1/monitoring-rules/security-config-change/disable').set('Authorization', officer).expect(403);
    });

    it('reading roles, grants and rules is recorded but raises no security-config-change alert (only changes do)', async () => {
      const before = (await alertsOf('security-config-change')).length;
      await http().get('/v1/roles').set('Authorization', admin).expect(200);
      await http().get('/v1/cross-tenant-grants').set('Authorization', admin).expect(200);
      await http().get('/v1/monitoring-rules').set('Authorization', admin).expect(200);
      expect(await alertsOf('security-config-change')).toHaveLength(before);
    });

    it('editing a rule bumps its version, raises security-config-change for the monitoring_rule.update record, and applies to later events', async () => {
      const edited = await http()
        .put('/v1/monitoring-rules/privilege-escalation-attempts')
        .set('Authorization', admin)
        .send({ condition: { type: 'threshold', threshold: 3, windowSeconds: 600, groupBy: ['actor.id'] } })
        .expect(200);
      expect(edited.body).toMatchObject({ id: 'privilege-escalation-attempts', version: 2, updatedBy: 'root-alice', condition: { threshold: 3 }, severity: 'high' });

      const changes = await alertsOf('security-config-change');
      expect(changes).toHaveLength(1);
      const [recordId] = changes[0].eventIds;
      const record = await http().get(`/v1/audit-events/${recordId}`).set('Authorization', officer).expect(200);
      expect(record.body).toMatchObject({ action: 'monitoring_rule.update', outcome: 'success', actor: { id: 'root-alice' }, resource: { type: 'monitoring_rule', id: 'privilege-escalation-attempts' } });

      await api.record(writer, [0, 1, 2].map((s) => deniedRoleAssign('gus', s)));
      const gus = (await alertsOf('privilege-escalation-attempts')).find((a) => (a.groupKey as Record<string, string>)['actor.id'] === 'gus');
      expect(gus).toMatchObject({ ruleVersion: 2, eventCount: 3 });
    });

    it('creates a custom rule (201), refuses the same id again (409), deletes it (204, then 404); built-in rules cannot be deleted (409)', async () => {
      const rule = { id: 'bulk-invoice-reads', name: 'Bulk invoice reads', severity: 'low', match: { actions: ['invoice.read'] }, condition: { type: 'threshold', threshold: 2, windowSeconds: 60, groupBy: ['actor.id'] } };
      const created = await http().post('/v1/monitoring-rules').set('Authorization', admin).send(rule).expect(201);
      expect(created.headers.location).toBe('/v1/monitoring-rules/bulk-invoice-reads');
      expect(created.body).toMatchObject({ id: 'bulk-invoice-reads', builtIn: false, enabled: true, version: 1, suppressionSeconds: 0, condition: { count: 'events' } });
      await http().post('/v1/monitoring-rules').set('Authorization', admin).send(rule).expect(409);
      await http().post('/v1/monitoring-rules').set('Authorization', admin).send({ ...rule, id: 'security-config-change' }).expect(409);

      const read = (s: number) => auditEvent({ occurredAt: at(s), actor: { id: 'hank', type: 'user' }, action: 'invoice.read', outcome: 'success' });
      await api.record(writer, [read(0), read(10)]);
      expect(await alertsOf('bulk-invoice-reads')).toHaveLength(1);

      await http().delete('/v1/monitoring-rules/bulk-invoice-reads').set('Authorization', admin).expect(204);
      await http().get('/v1/monitoring-rules/bulk-invoice-reads').set('Authorization', admin).expect(404);
      const builtIn = await http().delete('/v1/monitoring-rules/mass-export-or-deletion').set('Authorization', admin);
      expect(builtIn.status).toBe(409);
      expect(builtIn.body.type).toMatch(/built-in-rule/);
    });

    it('refuses a malformed rule with 400 and field paths, and writes nothing', async () => {
      const res = await http()
        .post('/v1/monitoring-rules')
        .set('Authorization', admin)
        .send({ id: 'Bad_Id', name: 'x', severity: 'urgent', match: { actions: ['a b'], colour: ['red'] }, condition: { type: 'outside_hours', timezone: 'Mars/Olympus' } });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['condition.timezone', 'id', 'match.actions[0]', 'match.colour', 'severity']);
      await http().get('/v1/monitoring-rules/bad-id').set('Authorization', admin).expect(404);
    });

    it('a disabled rule raises nothing; enabling it again applies to later events', async () => {
      await http().post('/v1/monitoring-rules/mass-export-or-deletion/disable').set('Authorization', admin).expect(200);
      const exportOf = (actor: string, s: number) => auditEvent({ occurredAt: at(s), actor: { id: actor, type: 'user' }, action: 'customer.export', outcome: 'success', metadata: { recordCount: 100 } });
      await api.record(writer, [exportOf('ivan', 0)]);
      expect(await alertsOf('mass-export-or-deletion')).toEqual([]);
      const enabled = await http().post('/v1/monitoring-rules/mass-export-or-deletion/enable').set('Authorization', admin).expect(200);
      expect(enabled.body).toMatchObject({ enabled: true, version: 3 });
      await api.record(writer, [exportOf('judy', 0)]);
      expect((await alertsOf('mass-export-or-deletion')).map((a) => [a.groupKey, a.recordCount, a.ruleVersion])).toEqual([[{ 'actor.id': 'judy' }, 100, 3]]);
    });
  });

  describe('backtest (POST /v1/monitoring-rules/backtest)', () => {
    const initechWriter = bearer({ tenant: 'initech', roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
    const initechAdmin = bearer({ tenant: 'initech', roles: ['super_admin'], sub: 'ian' });
    const update = (actor: string, seconds: number) => auditEvent({ occurredAt: at(seconds), actor: { id: actor, type: 'user' }, action: 'invoice.update', outcome: 'success' });
    let events: Array<Record<string, unknown>>;
    beforeAll(async () => {
      events = [update('zed', 0), update('zed', 10), update('zed', 20), update('yan', 0), update('zed', 5000)];
      await api.record(initechWriter, events);
      // The backtest reads the rules engine's compact copy of the log: wait until it holds these events.
      await engineSettled();
    });
    const draft = { name: 'Repeated invoice updates', severity: 'low', match: { actions: ['invoice.update'] }, condition: { type: 'threshold', threshold: 2, windowSeconds: 60, groupBy: ['actor.id'] }, suppressionSeconds: 600 };

    it('runs a draft rule over the period with the live evaluation (window, suppression join) and raises nothing', async () => {
      const res = await http().post('/v1/monitoring-rules/backtest').set('Authorization', initechAdmin).send({ rule: draft, from: at(0), to: at(6000) }).expect(200);
      expect(res.body).toMatchObject({ eventsScanned: 5, alertsTruncated: false, from: at(0), to: at(6000) });
      expect(res.body.alerts).toEqual([{ groupKey: { 'actor.id': 'zed' }, windowStart: at(0), windowEnd: at(20), eventCount: 3, recordCount: 3, eventIds: [events[0].id, events[1].id, events[2].id] }]);
      await engineSettled();
      const live = await http().get('/v1/alerts').set('Authorization', initechAdmin).expect(200);
      expect(live.body.items).toEqual([]);
    });

    it('scans only occurredAt in [from, to)', async () => {
      const res = await http().post('/v1/monitoring-rules/backtest').set('Authorization', initechAdmin).send({ rule: draft, from: at(10), to: at(20) }).expect(200);
      expect(res.body).toMatchObject({ eventsScanned: 1, alerts: [] });
    });

    it('backtests a saved rule by id; 404 for an unknown one; 400 for ruleId and rule together or a reversed period', async () => {
      const saved = await http().post('/v1/monitoring-rules/backtest').set('Authorization', initechAdmin).send({ ruleId: 'security-config-change', from: at(0), to: at(6000) }).expect(200);
      expect(saved.body).toMatchObject({ rule: { id: 'security-config-change' }, alerts: [], eventsScanned: 5 });
      await http().post('/v1/monitoring-rules/backtest').set('Authorization', initechAdmin).send({ ruleId: 'no-such-rule', from: at(0), to: at(1) }).expect(404);
      const both = await http().post('/v1/monitoring-rules/backtest').set('Authorization', initechAdmin).send({ ruleId: 'security-config-change', rule: draft, from: at(1), to: at(0) });
      expect(both.status).toBe(400);
      expect(both.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['ruleId', 'to']);
    });

    it("sees only the caller's tenant: acme's officer backtesting the same period scans none of initech's events", async () => {
      const res = await http().post('/v1/monitoring-rules/backtest').set('Authorization', officer).send({ rule: draft, from: at(0), to: at(6000) }).expect(200);
      expect(res.body.alerts.flatMap((a: { eventIds: string[] }) => a.eventIds)).not.toEqual(expect.arrayContaining([events[0].id]));
    });
  });
});

import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { notificationIdOf } from '../../src/notifications/notification';
import { notificationStreamOf } from '../../src/notifications/notification-streams';
import { NotificationDraft, NOTIFICATIONS, Notifications } from '../../src/notifications/notifications.port';
import { NOTIFICATIONS_PROJECTION } from '../../src/notifications/notifications.read-model';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { baseUrlOf, openSse } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const bothRoles = bearer({ roles: ['compliance_officer', 'super_admin'], sub: 'dual-dora' });
const auditor = bearer({ roles: ['auditor'], sub: 'audrey' });
const standardSam = bearer({ roles: ['standard_user'], sub: 'sam' });
const standardSue = bearer({ roles: ['standard_user'], sub: 'sue' });
const globexOfficer = bearer({ tenant: 'globex', roles: ['compliance_officer'], sub: 'carol' });

type Item = { id: string; title: string; readAt: string | null; kind: string; severity?: string; link: string; alertId?: string };

describe('Notification centre over HTTP: addressing, isolation, read state, idempotency, live stream', () => {
  let t: TestApp;
  let seq = 0;
  const http = () => request(t.app.getHttpServer());
  const notifications = () => t.app.get<Notifications>(NOTIFICATIONS);

  /** Waits until the notification projection applied the notification of `key` (if one was written). */
  async function settled(tenant: string, key: string): Promise<void> {
    const [event] = await t.app.get<EventStore>(EVENT_STORE).readStream(notificationStreamOf(tenant, notificationIdOf(tenant, key)));
    if (event) expect(await t.app.get(ProjectionRegistry).runner(NOTIFICATIONS_PROJECTION).waitFor(event.position, 5000)).toBe(true);
  }
  async function publish(tenant: string, draft: Partial<NotificationDraft>): Promise<void> {
    const full: NotificationDraft = { kind: 'alert', title: `n${++seq}`, link: '/v1/alerts/x', key: `k${seq}`, occurredAt: new Date().toISOString(), ...draft };
    await notifications().publish(tenant, full);
    await settled(tenant, full.key);
  }
  async function inbox(token: string, query = ''): Promise<{ items: Item[]; unreadCount: number; nextCursor: string | null }> {
    return (await http().get(`/v1/notifications${query}`).set('Authorization', token).expect(200)).body;
  }
  const titles = async (token: string, query = '') => (await inbox(token, query)).items.map((i) => i.title);

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('an alert notification without recipients goes to the default roles (compliance officers, super admins), once per reader holding both', async () => {
    await publish('acme', { title: 'default-addressed', key: 'alert-1', alertId: 'a1', severity: 'low' });
    expect(await titles(officer)).toEqual(['default-addressed']);
    expect(await titles(admin)).toEqual(['default-addressed']);
    expect(await titles(bothRoles)).toEqual(['default-addressed']);
    expect((await inbox(bothRoles)).unreadCount).toBe(1);
  });

  it('a standard user and an auditor never see alert notifications they are not named in; another tenant never does', async () => {
    expect(await titles(standardSam)).toEqual([]);
    expect(await titles(auditor)).toEqual([]);
    expect(await titles(globexOfficer)).toEqual([]);
  });

  it('a tenant whose id extends another (acme-x vs acme, ids with "-") sees only its own notifications', async () => {
    await publish('acme-x', { title: 'for-acme-x', key: 'alert-1', severity: 'low' });
    const acmeXOfficer = bearer({ tenant: 'acme-x', roles: ['compliance_officer'], sub: 'carol' });
    expect(await titles(acmeXOfficer)).toEqual(['for-acme-x']);
    expect(await titles(officer)).toEqual(['default-addressed']);
  });

  it('publishing the same key again creates no second notification (idempotent), even with another title', async () => {
    await publish('acme', { title: 'default-addressed again', key: 'alert-1' });
    expect(await titles(officer)).toEqual(['default-addressed']);
  });

  it('a notification naming a user reaches that user only (not another standard user)', async () => {
    await publish('acme', { title: 'for-sam', key: 'named-sam', kind: 'report', recipients: { userIds: ['sam'], roles: [] } });
    expect(await titles(standardSam)).toEqual(['for-sam']);
    expect(await titles(standardSue)).toEqual([]);
    expect(await titles(officer)).toEqual(['default-addressed']);
  });

  it('minSeverity of the alert recipients filters alerts below it; naming recipients bypasses it', async () => {
    await http().put('/v1/alert-recipients').set('Authorization', admin).send({ userIds: ['sue'], roles: ['compliance_officer'], minSeverity: 'high' }).expect(200);
    await publish('acme', { title: 'medium-filtered', key: 'alert-medium', severity: 'medium' });
    await publish('acme', { title: 'high-delivered', key: 'alert-high', severity: 'high' });
    expect(await titles(officer)).toEqual(['high-delivered', 'default-addressed']);
    expect(await titles(standardSue)).toEqual(['high-delivered']);
    expect(await titles(admin)).toEqual(['default-addressed']);
  });

  it('GET /v1/alert-recipients shows the replacement, and the PUT is self-audited as alert_recipients.update', async () => {
    expect((await http().get('/v1/alert-recipients').set('Authorization', officer).expect(200)).body).toMatchObject({ userIds: ['sue'], roles: ['compliance_officer'], minSeverity: 'high', version: 1 });
    expect(await projectionSettled(t.app, 'audit_log')).toBe(true);
    const records = (await http().get('/v1/audit-events?action=alert_recipients.update').set('Authorization', admin).expect(200)).body.items;
    expect(records).toHaveLength(1);
    expect(records[0].changes.after).toEqual({ userIds: ['sue'], roles: ['compliance_officer'], minSeverity: 'high' });
  });

  it('PUT /v1/alert-recipients with a bad body is a 400 and changes nothing; a compliance officer may not PUT (403)', async () => {
    await http().put('/v1/alert-recipients').set('Authorization', admin).send({ userIds: [], roles: [], minSeverity: 'urgent' }).expect(400);
    await http().put('/v1/alert-recipients').set('Authorization', officer).send({ userIds: [], roles: [], minSeverity: 'low' }).expect(403);
    expect((await http().get('/v1/alert-recipients').set('Authorization', admin).expect(200)).body.version).toBe(1);
  });

  it('read state is per user: carol reading a role notification leaves it unread for dora', async () => {
    const [high] = (await inbox(officer)).items;
    const read = await http().post(`/v1/notifications/${high.id}/read`).set('Authorization', officer).expect(200);
    expect(read.body).toMatchObject({ id: high.id, readAt: expect.any(String) });
    expect((await inbox(officer)).items.find((i) => i.id === high.id)!.readAt).toBe(read.body.readAt);
    expect((await inbox(officer, '?unread=true')).items.map((i) => i.title)).toEqual(['default-addressed']);
    expect((await inbox(officer)).unreadCount).toBe(1);
    const dora = await inbox(bothRoles);
    expect(dora.items.find((i) => i.id === high.id)!.readAt).toBeNull();
    expect(dora.unreadCount).toBe(2);
  });

  it('reading again keeps the first readAt; another user cannot mark it (404), nor can another tenant (404)', async () => {
    const [high] = (await inbox(officer)).items;
    const again = await http().post(`/v1/notifications/${high.id}/read`).set('Authorization', officer).expect(200);
    expect(again.body.readAt).toBe(high.readAt);
    await http().post(`/v1/notifications/${high.id}/read`).set('Authorization', auditor).expect(404);
    await http().post(`/v1/notifications/${high.id}/read`).set('Authorization', globexOfficer).expect(404);
    await http().post('/v1/notifications/not-an-id/read').set('Authorization', officer).expect(400);
  });

  it('read-all marks everything of the caller read, and only theirs; a later notification is unread again', async () => {
    expect((await http().post('/v1/notifications/read-all').set('Authorization', bothRoles).expect(200)).body).toEqual({ markedRead: 2 });
    expect((await inbox(bothRoles)).unreadCount).toBe(0);
    expect((await inbox(bothRoles, '?unread=true')).items).toEqual([]);
    expect((await inbox(officer)).unreadCount).toBe(1);
    await publish('acme', { title: 'after-read-all', key: 'alert-late', severity: 'critical', recipients: { userIds: ['dual-dora'], roles: [] } });
    expect(await titles(bothRoles, '?unread=true')).toEqual(['after-read-all']);
    expect((await http().post('/v1/notifications/read-all').set('Authorization', bothRoles).expect(200)).body).toEqual({ markedRead: 1 });
  });

  it('pages newest first with a cursor, each notification once', async () => {
    for (let i = 0; i < 5; i++) await publish('acme', { title: `page-${i}`, key: `page-${i}`, kind: 'report', recipients: { userIds: ['pager'], roles: ['compliance_officer'] } });
    const pager = bearer({ roles: ['compliance_officer'], sub: 'pager' });
    const first = await inbox(pager, '?limit=3');
    expect(first.items.map((i) => i.title)).toEqual(['page-4', 'page-3', 'page-2']);
    // The pager also holds compliance_officer: the two role-addressed alerts follow.
    const second = await inbox(pager, `?limit=3&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.title)).toEqual(['page-1', 'page-0', 'high-delivered']);
    const third = await inbox(pager, `?limit=3&cursor=${second.nextCursor}`);
    expect(third.items.map((i) => i.title)).toEqual(['default-addressed']);
    expect(third.nextCursor).toBeNull();
    await http().get('/v1/notifications?cursor=%%%').set('Authorization', pager).expect(400);
    await http().get('/v1/notifications?unread=maybe').set('Authorization', pager).expect(400);
  });

  it('the live stream sends a new notification to its addressee only, and resumes after Last-Event-ID', async () => {
    const base = baseUrlOf(t.app.getHttpServer());
    const sam = await openSse(base, '/v1/notifications/stream', { Authorization: standardSam });
    const sue = await openSse(base, '/v1/notifications/stream', { Authorization: standardSue });
    expect(sam.status).toBe(200);
    await publish('acme', { title: 'live-for-sam', key: 'live-1', kind: 'report', recipients: { userIds: ['sam'], roles: [] } });
    const [message] = await sam.waitFor((m) => m.length >= 1);
    expect(message.event).toBe('notification');
    expect(JSON.parse(message.data)).toMatchObject({ title: 'live-for-sam', readAt: null });
    await publish('acme', { title: 'live-for-sue', key: 'live-2', kind: 'report', recipients: { userIds: ['sue'], roles: [] } });
    await sue.waitFor((m) => m.length >= 1);
    expect(sue.messages.map((m) => JSON.parse(m.data).title)).toEqual(['live-for-sue']);
    expect(sam.messages).toHaveLength(1);
    sam.close();
    sue.close();
    await publish('acme', { title: 'while-away', key: 'live-3', kind: 'report', recipients: { userIds: ['sam'], roles: [] } });
    const resumed = await openSse(base, '/v1/notifications/stream', { Authorization: standardSam, 'Last-Event-ID': message.id! });
    await resumed.waitFor((m) => m.length >= 1);
    expect(resumed.messages.map((m) => JSON.parse(m.data).title)).toEqual(['while-away']);
    resumed.close();
  });
});

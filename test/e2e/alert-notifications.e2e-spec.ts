import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MONITORING_PROJECTION } from '../../src/monitoring/engine/monitoring-engine.read-model';
import { ALERT_NOTIFIER_CURSOR, AlertNotifier } from '../../src/notifications/alert-notifier';
import { NOTIFICATIONS_PROJECTION } from '../../src/notifications/notifications.read-model';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../src/read-store/read-store.port';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, sameStoresEnv, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

const writer = bearer({ roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });
const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const standardSam = bearer({ roles: ['standard_user'], sub: 'sam' });
const globexOfficer = bearer({ tenant: 'globex', roles: ['compliance_officer'], sub: 'carol' });

const deniedRoleAssign = (actor: string, offsetSeconds: number) =>
  auditEvent({ id: randomUUID(), occurredAt: new Date(Date.now() - 120_000 + offsetSeconds * 1000).toISOString(), actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api' });

type Item = { id: string; kind: string; alertId?: string; title: string; severity?: string; link: string; readAt: string | null };

describe('Raised alerts become notifications (alert change feed → notification centre)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  async function settled(app: TestApp = t): Promise<void> {
    expect(await projectionSettled(app.app, MONITORING_PROJECTION)).toBe(true);
  }
  /** Lets the monitoring engine apply what was recorded, then the notifier handle every change, then the notification projection apply it. */
  async function notified(app: TestApp = t): Promise<void> {
    await settled(app);
    await app.app.get(AlertNotifier).drain();
    expect(await projectionSettled(app.app, NOTIFICATIONS_PROJECTION)).toBe(true);
  }
  async function alertItems(token: string, app: TestApp = t): Promise<Item[]> {
    const items = (await request(app.app.getHttpServer()).get('/v1/notifications?limit=100').set('Authorization', token).expect(200)).body.items as Item[];
    return items.filter((i) => i.kind === 'alert');
  }
  async function alertIdsOf(actor: string, app: TestApp = t): Promise<string[]> {
    const alerts = (await request(app.app.getHttpServer()).get('/v1/alerts?ruleId=privilege-escalation-attempts&limit=500').set('Authorization', admin).expect(200)).body.items as Array<{ id: string; groupKey: Record<string, string> }>;
    return alerts.filter((a) => a.groupKey['actor.id'] === actor).map((a) => a.id);
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.app.close().catch(() => undefined);
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  });

  it('a raised alert notifies the default recipients once: kind alert, its id, severity, title and a link to it', async () => {
    await auditApi(t.app).record(writer, [0, 1, 2, 3, 4].map((s) => deniedRoleAssign('bob', s)));
    await notified();
    const [alertId] = await alertIdsOf('bob');
    expect(alertId).toBeDefined();
    const items = await alertItems(officer);
    expect(items).toEqual([expect.objectContaining({ kind: 'alert', alertId, severity: 'high', link: `/v1/alerts/${alertId}`, readAt: null, title: expect.stringContaining('bob') })]);
    expect(await alertItems(admin)).toHaveLength(1);
  });

  it('a standard user and another tenant get no alert notification', async () => {
    expect(await alertItems(standardSam)).toEqual([]);
    expect(await alertItems(globexOfficer)).toEqual([]);
  });

  it('an event joining the open alert (an update) makes no second notification', async () => {
    await auditApi(t.app).record(writer, [deniedRoleAssign('bob', 5)]);
    await notified();
    const alerts = (await http().get('/v1/alerts?ruleId=privilege-escalation-attempts').set('Authorization', admin).expect(200)).body.items;
    expect(alerts[0].eventCount).toBe(6);
    expect(await alertItems(officer)).toHaveLength(1);
  });

  it("a rule's own recipients replace the tenant's: its next alert reaches the named user only", async () => {
    await http().put('/v1/monitoring-rules/privilege-escalation-attempts').set('Authorization', admin).send({ recipients: { userIds: ['sam'] } }).expect(200);
    await auditApi(t.app).record(writer, [0, 1, 2, 3, 4].map((s) => deniedRoleAssign('eve', s)));
    await notified();
    const [eveAlert] = await alertIdsOf('eve');
    expect((await alertItems(standardSam)).map((i) => i.alertId)).toEqual([eveAlert]);
    expect((await alertItems(officer)).map((i) => i.alertId)).not.toContain(eveAlert);
  });

  it('runs by itself in the background: an alert raised without drain() shows up as a notification', async () => {
    await http().put('/v1/monitoring-rules/privilege-escalation-attempts').set('Authorization', admin).send({ recipients: null }).expect(200);
    await auditApi(t.app).record(writer, [0, 1, 2, 3, 4].map((s) => deniedRoleAssign('mallory', s)));
    await settled();
    const [alertId] = await alertIdsOf('mallory');
    // A bound, not a sleep: the loop ends as soon as the notification is there (it polls every 200 ms).
    const deadline = Date.now() + 15_000;
    let seen: Item[] = [];
    while (Date.now() < deadline && !seen.some((i) => i.alertId === alertId)) {
      await t.app.get(ProjectionRegistry).runner(NOTIFICATIONS_PROJECTION).nextCommit(250);
      seen = await alertItems(officer);
    }
    expect(seen.filter((i) => i.alertId === alertId)).toHaveLength(1);
  }, 30_000);

  it('after a restart, a rebuild of the monitoring projection and a lost notifier cursor: still exactly one notification per raised alert', async () => {
    const before = (await alertItems(officer)).map((i) => i.alertId).sort();
    // bob's and mallory's alerts, and security-config-change alerts of the two rule edits.
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(new Set(before).size).toBe(before.length);
    await t.app.close();
    t = await createTestApp({ env: sameStoresEnv(t) });
    const store = t.app.get<ReadStore>(READ_STORE);
    // Both forgotten: the engine re-raises every alert from the log, the notifier reads the feed from the start.
    const engine = t.app.get(ProjectionRegistry).localRunner(MONITORING_PROJECTION);
    await engine.stop();
    await engine.reset();
    await engine.catchUp();
    engine.start();
    await t.app.get(AlertNotifier).drain();
    await store.resetProjection(ALERT_NOTIFIER_CURSOR);
    await notified();
    expect((await alertItems(officer)).map((i) => i.alertId).sort()).toEqual(before);
    expect((await alertItems(standardSam)).length).toBe(1);
  }, 30_000);
});

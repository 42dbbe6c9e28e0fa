import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { Checkpointer } from '../../src/integrity/checkpoints/checkpointer';
import { MONITORING_PROJECTION } from '../../src/monitoring/engine/monitoring-engine.read-model';
import { runVerifyCli } from '../../src/integrity/cli/verify-offline.cli';
import { RetentionExpiry } from '../../src/retention/retention-expiry';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { makeTempDir } from '../support/temp-dir';
import { createTestApp, sameStoresEnv, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const admin = bearer({ roles: ['super_admin'], sub: 'sam' });
const operator = bearer({ roles: ['platform_operator'], sub: 'olga', tenant: 'platform' });
const DAY_MS = 24 * 60 * 60 * 1000;

async function headOf(t: TestApp, tenant = 'acme'): Promise<number> {
  const [head] = await t.app.get<EventStore>(EVENT_STORE).readStream(`audit-${tenant}`, { direction: 'backwards', maxCount: 1 });
  return head ? head.revision : -1;
}

/** Every event of the tenant's log as the event store holds it now. */
async function streamOf(t: TestApp, tenant = 'acme'): Promise<StoredAuditEvent[]> {
  return (await t.app.get<EventStore>(EVENT_STORE).readStream(`audit-${tenant}`)).map((e) => e.data as unknown as StoredAuditEvent);
}

/**
 * Until the audit-log projection has applied everything in the log: the expired ids are recorded on
 * the retention stream after the retention.expire record, so read-your-writes on the audit sequence alone
 * does not cover them.
 */
async function projectedToHead(t: TestApp): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const health = await auditApi(t.app).http().get('/health');
    if (health.body.projections.find((p: { name: string }) => p.name === 'audit_log')?.eventsBehind === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the audit_log projection did not catch up');
}

describe('retention policy (issue 12 item 5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(RetentionExpiry).stopTimer();
  });
  afterAll(async () => t.close());

  it('GET answers the 7-year default to retention:read holders (compliance_officer, super_admin) and 403 to an auditor', async () => {
    const api = auditApi(t.app);
    const res = await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200);
    expect(res.body).toMatchObject({ tenantId: 'acme', retentionDays: 2557, isDefault: true, defaultDays: 2557, minimumDays: 365, expiredBefore: 0, lastExpiry: null });
    await api.http().get('/v1/retention-policy').set('Authorization', admin).expect(200);
    await api.http().get('/v1/retention-policy').set('Authorization', bearer({ roles: ['auditor'] })).expect(403);
  });

  it('PUT is refused (403) to every tenant role, super_admin included, and to a platform_admin naming the tenant; nothing changes', async () => {
    const api = auditApi(t.app);
    for (const roles of [['super_admin'], ['compliance_officer'], ['auditor']]) {
      await api.http().put('/v1/retention-policy').set('Authorization', bearer({ roles })).send({ retentionDays: 400 }).expect(403);
    }
    await api.http().put('/v1/retention-policy').set('Authorization', bearer({ roles: ['platform_admin'], tenant: 'platform' })).set('X-Tenant-Id', 'acme').send({ retentionDays: 400 }).expect(403);
    expect((await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200)).body.retentionDays).toBe(2557);
  });

  it('PUT by a platform_operator naming the tenant in X-Tenant-Id changes it and is recorded in that tenant’s log as retention.update with before/after', async () => {
    const api = auditApi(t.app);
    const res = await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 400 }).expect(200);
    expect(res.body).toMatchObject({ tenantId: 'acme', retentionDays: 400, isDefault: false, updatedBy: 'olga' });
    expect((await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200)).body).toMatchObject({ retentionDays: 400 });

    const updates = (await streamOf(t)).filter((e) => e.action === 'retention.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      actor: { id: 'olga', role: 'platform_operator' },
      outcome: 'success',
      resource: { type: 'retention_policy', id: 'acme' },
      changes: { before: { retentionDays: 2557 }, after: { retentionDays: 400 } },
      metadata: { platformOperator: { fromTenant: 'platform' } },
    });
    expect(await streamOf(t, 'platform')).toEqual([]);
  });

  it('refuses with problem+json and writes nothing: no X-Tenant-Id, fewer than 365 days, more than the maximum, a non-integer, an unknown field', async () => {
    const api = auditApi(t.app);
    const before = await headOf(t);
    await api.http().put('/v1/retention-policy').set('Authorization', operator).send({ retentionDays: 500 }).expect(400);
    for (const body of [{ retentionDays: 364 }, { retentionDays: 10_958 }, { retentionDays: 400.5 }, { retentionDays: '400' }, { retentionDays: 400, forever: true }, {}]) {
      const res = await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send(body);
      expect([res.status, res.headers['content-type']]).toEqual([400, expect.stringContaining('application/problem+json')]);
    }
    expect(await headOf(t)).toBe(before);
    expect((await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200)).body.retentionDays).toBe(400);
  });

  it('a read of the policy is recorded as retention_policy.view and raises no alert; a change raises the security-config-change alert', async () => {
    const other = await createTestApp();
    try {
      other.app.get(RetentionExpiry).stopTimer();
      const api = auditApi(other.app);
      const alertsOf = async () => {
        expect(await projectionSettled(other.app, MONITORING_PROJECTION)).toBe(true);
        return (await api.http().get('/v1/alerts?ruleId=security-config-change').set('Authorization', admin).expect(200)).body.items as unknown[];
      };
      await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200);
      expect((await streamOf(other)).map((e) => e.action)).toEqual(['retention_policy.view']);
      expect(await alertsOf()).toEqual([]);
      await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 500 }).expect(200);
      expect(await alertsOf()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('refuses (400) a platform_operator naming a tenant that has no audit log, and creates neither its log nor its policy', async () => {
    const api = auditApi(t.app);
    const res = await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acmee').send({ retentionDays: 400 }).expect(400);
    expect(res.body.detail).toBe('X-Tenant-Id names tenant acmee, which has no audit log');
    await api.http().get('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acmee').expect(400);
    expect(await streamOf(t, 'acmee')).toEqual([]);
    expect(await t.app.get<EventStore>(EVENT_STORE).readStream('retention-acmee')).toEqual([]);
  });

  it('a tenant cannot give retention:manage to its users: a custom role with it is refused (422) as a platform permission', async () => {
    const res = await auditApi(t.app).http().post('/v1/roles').set('Authorization', admin).send({ name: 'retention_keeper', permissions: ['retention:manage'] }).expect(422);
    expect(res.body.errors).toEqual([{ path: 'permissions[0]', message: '"retention:manage" is a platform permission and cannot be given by a tenant role' }]);
  });

  it('gives a platform_operator naming a tenant no access to its data (audit events, verify, export: 403)', async () => {
    const api = auditApi(t.app);
    for (const route of ['/v1/audit-events', '/v1/integrity/verify', '/v1/audit-events/export']) {
      await api.http().get(route).set('Authorization', operator).set('X-Tenant-Id', 'acme').expect(403);
    }
  });
});

describe('daily retention expiry, with an injected clock (issue 12 items 5-6)', () => {
  let t: TestApp | null = null;
  let files: ReturnType<typeof makeTempDir>;
  beforeEach(() => (files = makeTempDir()));
  afterEach(async () => {
    await t?.close();
    t = null;
    files.cleanup();
  });

  async function start(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
    t = await createTestApp({ env });
    t.app.get(RetentionExpiry).stopTimer();
    t.app.get(Checkpointer).stopTimer();
    return t;
  }

  it('expires the front older than the policy from log, stream and read model, records retention.expire, and verify (online and offline) continues from the first retained event', async () => {
    const app = await start({ RETENTION_BATCH_EVENTS: '3' });
    const api = auditApi(app.app);
    const old = await api.record(writer, Array.from({ length: 7 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `OLD-${i}` } })));
    const checkpoint = (await app.app.get(Checkpointer).checkpointIfDue('acme', new Date()))!;
    await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 365 }).expect(200);
    const lastOld = await headOf(app);
    const lastOldHash = (await streamOf(app)).at(-1)!.hash;

    // One year and a day later, everything recorded so far is older than the policy.
    const now = new Date(Date.now() + 366 * DAY_MS);
    const expiry = await app.app.get(RetentionExpiry).expireTenant('acme', now);
    expect(expiry).toMatchObject({ fromSequence: 0, toSequence: lastOld, count: lastOld + 1, lastExpiredHash: lastOldHash });

    const retained = await streamOf(app);
    expect(retained[0].sequence).toBe(lastOld + 1);
    expect(retained[0]).toMatchObject({
      action: 'retention.expire',
      actor: { type: 'system' },
      channel: 'system',
      context: { sourceService: 'compliance-audit-trail' },
      metadata: { count: lastOld + 1, fromSequence: 0, toSequence: lastOld, lastExpiredHash: lastOldHash, retentionDays: 365 },
      prevHash: lastOldHash,
    });
    expect(await app.app.get<EventStore>(EVENT_STORE).readStream('audit-acme', { fromRevision: 0, maxCount: 1 })).toEqual([
      expect.objectContaining({ revision: lastOld + 1 }),
    ]);

    // The read model drops them: neither the list nor a lookup by id finds an expired event.
    await projectedToHead(app);
    const listed = await api.list(officer, 'resourceType=invoice', lastOld + 1);
    expect(listed).toEqual([]);
    await api.http().get(`/v1/audit-events/${old[0].id}`).set('Authorization', officer).expect(404);
    // So does the rules engine's copy that backtests scan: only the retained events are evaluated.
    expect(await projectionSettled(app.app, MONITORING_PROJECTION)).toBe(true);
    const retainedCount = (await streamOf(app)).length;
    const backtest = await api
      .http()
      .post('/v1/monitoring-rules/backtest')
      .set('Authorization', officer)
      .send({ ruleId: 'security-config-change', from: '2000-01-01T00:00:00Z', to: new Date(now.getTime() + DAY_MS).toISOString() }) // the retention.expire record occurred at the injected now
      .expect(200);
    expect(backtest.body.eventsScanned).toBe(retainedCount);

    const verify = await api.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    expect(verify.body).toMatchObject({
      valid: true,
      fromSequence: lastOld + 1,
      expired: { fromSequence: 0, toSequence: lastOld, lastExpiredHash: lastOldHash, recordSequence: lastOld + 1 },
      checkpointsChecked: 1,
      checkpointsCoveringExpired: 1,
    });
    expect(verify.body.contradictedCheckpoint).toBeUndefined();
    expect((await api.http().get('/v1/retention-policy').set('Authorization', officer).expect(200)).body).toMatchObject({
      expiredBefore: lastOld + 1,
      lastExpiry: { fromSequence: 0, toSequence: lastOld, count: lastOld + 1, lastExpiredHash: lastOldHash },
    });

    // Offline: the auditor's export (it starts after the expiry), the checkpoints and the key.
    const head = await headOf(app);
    const exported = await api.http().get(`/v1/audit-events/export?minSequence=${head}`).set('Authorization', officer).buffer(true).parse(textBody()).expect(200);
    const lines = (exported.body as string).trim().split('\n').map((l) => JSON.parse(l) as StoredAuditEvent);
    expect(Math.min(...lines.map((e) => e.sequence))).toBe(lastOld + 1);
    fs.writeFileSync(path.join(files.dir, 'export.ndjson'), exported.body as string);
    const checkpoints = await api.http().get('/v1/integrity/checkpoints').set('Authorization', officer).expect(200);
    expect(checkpoints.body.items).toEqual([expect.objectContaining({ sequence: checkpoint.sequence })]);
    fs.writeFileSync(path.join(files.dir, 'checkpoints.json'), JSON.stringify(checkpoints.body));
    fs.writeFileSync(path.join(files.dir, 'key.pem'), (await api.http().get('/v1/reports/signing-key').set('Authorization', officer).expect(200)).body.publicKey);
    let out = '';
    const code = runVerifyCli(['--export', path.join(files.dir, 'export.ndjson'), '--checkpoints', path.join(files.dir, 'checkpoints.json'), '--public-key', path.join(files.dir, 'key.pem')], (s) => (out += s), (s) => (out += s));
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining(`expired:     sequences 0..${lastOld} expired by retention`) });
    expect(out).toContain('VALID');

    // The log goes on after the expiry.
    const [next] = await api.record(writer, [auditEvent()]);
    expect(next.sequence).toBeGreaterThan(lastOld + 1);
    expect((await api.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body.valid).toBe(true);
  });

  it('expires nothing when nothing is older than the policy (default 7 years, a year later), and writes no retention stream', async () => {
    const app = await start();
    const api = auditApi(app.app);
    await api.record(writer, [auditEvent(), auditEvent()]);
    expect(await app.app.get(RetentionExpiry).expireTenant('acme', new Date(Date.now() + 366 * DAY_MS))).toBeNull();
    expect((await streamOf(app))[0].sequence).toBe(0);
    expect(await app.app.get<EventStore>(EVENT_STORE).readStream('retention-acme')).toEqual([]);
  });

  it('expires exactly the front recorded before now - policy (recordedAt) and keeps every later event', async () => {
    const app = await start();
    const api = auditApi(app.app);
    await api.record(writer, Array.from({ length: 3 }, () => auditEvent()));
    await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 365 }).expect(200);
    const boundary = Date.parse((await streamOf(app)).at(-1)!.recordedAt);
    await api.record(writer, Array.from({ length: 3 }, () => auditEvent()));
    const cutoff = boundary + 1;
    const before = await streamOf(app);
    const expectedTo = before.filter((e) => Date.parse(e.recordedAt) < cutoff).at(-1)!.sequence;

    const expiry = await app.app.get(RetentionExpiry).expireTenant('acme', new Date(cutoff + 365 * DAY_MS));

    expect(expiry).toMatchObject({ fromSequence: 0, toSequence: expectedTo, cutoff: new Date(cutoff).toISOString() });
    const after = await streamOf(app);
    expect(after.map((e) => e.sequence)).toEqual([...before.filter((e) => e.sequence > expectedTo).map((e) => e.sequence), before.at(-1)!.sequence + 1]);
    expect(after.every((e) => e.action === 'retention.expire' || Date.parse(e.recordedAt) >= cutoff)).toBe(true);
  });

  it('with two instances running the job at once, exactly one expires and records retention.expire once', async () => {
    const first = await start();
    const api = auditApi(first.app);
    await api.record(writer, Array.from({ length: 4 }, () => auditEvent()));
    await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 365 }).expect(200);
    const second = await createTestApp({ env: sameStoresEnv(first) });
    try {
      second.app.get(RetentionExpiry).stopTimer();
      const now = new Date(Date.now() + 366 * DAY_MS);
      const outcomes = await Promise.all([first.app.get(RetentionExpiry).expireTenant('acme', now), second.app.get(RetentionExpiry).expireTenant('acme', now)]);
      expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
      expect((await streamOf(first)).filter((e) => e.action === 'retention.expire')).toHaveLength(1);
      expect((await api.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body).toMatchObject({ valid: true });
    } finally {
      await second.app.close();
    }
  });

  it('a run that stopped between recording a batch and truncating is finished by the next run: one retention.expire record, stream caught up, verify valid', async () => {
    const app = await start({ RETENTION_BATCH_EVENTS: '2' });
    const api = auditApi(app.app);
    await api.record(writer, Array.from({ length: 6 }, () => auditEvent()));
    await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 365 }).expect(200);
    const lastOld = await headOf(app);
    const store = app.app.get<EventStore>(EVENT_STORE);
    const truncate = store.truncateBefore.bind(store);
    let calls = 0;
    // The second batch's truncation "crashes" (the process would have died after recording the batch).
    store.truncateBefore = async (stream, before) => {
      if (++calls === 2) throw new Error('simulated crash');
      return truncate(stream, before);
    };
    const now = new Date(Date.now() + 366 * DAY_MS);
    await expect(app.app.get(RetentionExpiry).expireTenant('acme', now)).rejects.toThrow('simulated crash');
    expect((await streamOf(app))[0].sequence).toBe(2);

    store.truncateBefore = truncate;
    await app.app.get(RetentionExpiry).expireTenant('acme', now);

    const retained = await streamOf(app);
    expect(retained[0].sequence).toBe(lastOld + 1);
    expect(retained.filter((e) => e.action === 'retention.expire')).toHaveLength(1);
    expect((await api.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body).toMatchObject({ valid: true, expired: { toSequence: lastOld } });
  });

  it('with projections in a worker thread (PROJECTION_MODE=worker) the queryable log drops expired events too', async () => {
    const app = await start({ PROJECTION_MODE: 'worker' });
    const api = auditApi(app.app);
    const old = await api.record(writer, Array.from({ length: 3 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `W-${i}` } })));
    await api.http().put('/v1/retention-policy').set('Authorization', operator).set('X-Tenant-Id', 'acme').send({ retentionDays: 365 }).expect(200);
    const expiry = (await app.app.get(RetentionExpiry).expireTenant('acme', new Date(Date.now() + 366 * DAY_MS)))!;
    await projectedToHead(app);
    expect(await api.list(officer, 'resourceType=invoice', expiry.toSequence + 1)).toEqual([]);
    await api.http().get(`/v1/audit-events/${old[2].id}`).set('Authorization', officer).expect(404);
    const health = await api.http().get('/health').expect(200);
    expect(health.body.projections.find((p: { name: string }) => p.name === 'audit_log').lastError).toBeNull();
  }, 60_000);

  it('an insider who deletes the front of the stream (no retention.expire record) is detected by verify', async () => {
    const app = await start();
    const api = auditApi(app.app);
    await api.record(writer, Array.from({ length: 5 }, () => auditEvent()));
    const dataDir = app.dataDir;
    await app.app.close();
    const db = new Database(path.join(dataDir, 'events.db'));
    try {
      db.exec('DROP TRIGGER events_are_never_deleted');
      db.prepare("DELETE FROM events WHERE stream = 'audit-acme' AND revision < 3").run();
    } finally {
      db.close();
    }
    const restarted = await createTestApp({ env: sameStoresEnv(app) });
    try {
      const verify = await auditApi(restarted.app).http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
      expect(verify.body).toMatchObject({
        valid: false,
        firstInvalidSequence: 0,
        missingFrom: 0,
        missingTo: 2,
        reason: 'sequences 0..2 are missing from the start of the stream and no retention.expire record in the log accounts for them',
      });
    } finally {
      await restarted.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    t = null;
  });
});

import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { Checkpoint, checkpointChainProblem } from '../../src/integrity/checkpoints/checkpoint';
import { Checkpointer } from '../../src/integrity/checkpoints/checkpointer';
import { publicSigningKeysOf } from '../../src/integrity/signing/ed25519';
import { DEV_SIGNING_KEY_FILE } from '../../src/integrity/signing/signing-keys';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { bearer } from '../support/tokens';
import { startWebhookReceiver } from '../support/webhook-receiver';
import { Webhook } from 'standardwebhooks';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const T0 = new Date('2026-11-28T12:00:00.000Z');
const after = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function headOf(t: TestApp, tenant = 'acme'): Promise<number> {
  const [head] = await t.app.get<EventStore>(EVENT_STORE).readStream(`audit-${tenant}`, { direction: 'backwards', maxCount: 1 });
  return head ? head.revision : -1;
}

describe('signed integrity checkpoints (issue 12)', () => {
  let t: TestApp;
  let checkpointer: Checkpointer;

  async function start(env: NodeJS.ProcessEnv = {}): Promise<void> {
    t = await createTestApp({ env });
    checkpointer = t.app.get(Checkpointer);
    checkpointer.stopTimer();
  }
  afterEach(async () => t?.close());

  describe('GET /v1/reports/signing-key', () => {
    it('answers the development key generated into DATA_DIR (mode 0600): Ed25519 PEM and key id = first 16 hex of SHA-256 of the SPKI DER', async () => {
      await start();
      const res = await auditApi(t.app).http().get('/v1/reports/signing-key').set('Authorization', officer).expect(200);
      const der = createPublicKey(res.body.publicKey).export({ type: 'spki', format: 'der' });
      expect(res.body).toEqual({ keyId: createHash('sha256').update(der).digest('hex').slice(0, 16), algorithm: 'Ed25519', publicKey: expect.stringContaining('BEGIN PUBLIC KEY'), previousKeys: [] });
      expect(fs.statSync(path.join(t.dataDir, DEV_SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    });

    it('uses SIGNING_KEY_FILE and lists the keys of SIGNING_PREVIOUS_PUBLIC_KEYS_FILE as previousKeys', async () => {
      const keys = makeTempDir();
      try {
        const current = generateKeyPairSync('ed25519');
        const old = generateKeyPairSync('ed25519');
        fs.writeFileSync(path.join(keys.dir, 'current.pem'), current.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        fs.writeFileSync(path.join(keys.dir, 'previous.pem'), old.publicKey.export({ type: 'spki', format: 'pem' }));
        await start({ SIGNING_KEY_FILE: path.join(keys.dir, 'current.pem'), SIGNING_PREVIOUS_PUBLIC_KEYS_FILE: path.join(keys.dir, 'previous.pem') });
        const res = await auditApi(t.app).http().get('/v1/reports/signing-key').set('Authorization', officer).expect(200);
        expect(res.body.publicKey).toBe(current.publicKey.export({ type: 'spki', format: 'pem' }));
        expect(res.body.previousKeys).toEqual([{ keyId: publicSigningKeysOf(old.publicKey.export({ type: 'spki', format: 'pem' }).toString())[0].keyId, algorithm: 'Ed25519', publicKey: old.publicKey.export({ type: 'spki', format: 'pem' }) }]);
        expect(fs.existsSync(path.join(t.dataDir, DEV_SIGNING_KEY_FILE))).toBe(false);
      } finally {
        keys.cleanup();
      }
    });
  });

  describe('the checkpointer', () => {
    it('checkpoints the head at once, then only after CHECKPOINT_INTERVAL_SECONDS when new events exist', async () => {
      await start({ CHECKPOINT_INTERVAL_SECONDS: '60' });
      await auditApi(t.app).record(writer, [auditEvent(), auditEvent()]);
      const first = await checkpointer.checkpointIfDue('acme', T0);
      expect(first).toMatchObject({ tenantId: 'acme', sequence: await headOf(t), createdAt: T0.toISOString(), previousCheckpointHash: '0'.repeat(64) });
      expect(await checkpointer.checkpointIfDue('acme', after(120))).toBeNull(); // nothing new

      await auditApi(t.app).record(writer, [auditEvent()]);
      expect(await checkpointer.checkpointIfDue('acme', after(59))).toBeNull();
      const second = await checkpointer.checkpointIfDue('acme', after(60));
      expect(second).toMatchObject({ sequence: await headOf(t), createdAt: after(60).toISOString() });
    });

    it('checkpoints after CHECKPOINT_EVERY_EVENTS new events even before the interval', async () => {
      await start({ CHECKPOINT_INTERVAL_SECONDS: '3600', CHECKPOINT_EVERY_EVENTS: '3' });
      await auditApi(t.app).record(writer, [auditEvent()]);
      await checkpointer.checkpointIfDue('acme', T0);
      await auditApi(t.app).record(writer, [auditEvent(), auditEvent()]);
      expect(await checkpointer.checkpointIfDue('acme', after(1))).toBeNull();
      await auditApi(t.app).record(writer, [auditEvent()]);
      expect(await checkpointer.checkpointIfDue('acme', after(2))).toMatchObject({ sequence: 3 });
    });

    it('appends one checkpoint when two instances decide at once (the loser re-reads and finds none due)', async () => {
      await start();
      await auditApi(t.app).record(writer, [auditEvent()]);
      const results = await Promise.all([checkpointer.checkpointIfDue('acme', T0), checkpointer.checkpointIfDue('acme', T0), checkpointer.checkpointIfDue('acme', T0)]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await t.app.get<EventStore>(EVENT_STORE).readStream('checkpoints-acme')).toHaveLength(1);
    });

    it('reads the head from the event store and checkpoints every tenant of the read model', async () => {
      await start();
      const globexWriter = bearer({ roles: ['audit_writer'], sub: 'svc', actorType: 'service', tenant: 'globex' });
      const [acme] = await auditApi(t.app).record(writer, [auditEvent()]);
      await auditApi(t.app).list(officer, '', acme.sequence);
      const [globex] = await auditApi(t.app).record(globexWriter, [auditEvent(), auditEvent()]).then((r) => r.slice(-1));
      await auditApi(t.app).list(bearer({ roles: ['compliance_officer'], tenant: 'globex' }), '', globex.sequence);
      await checkpointer.checkpointAllTenants();
      const store = t.app.get<EventStore>(EVENT_STORE);
      expect((await store.readStream('checkpoints-acme'))[0].data).toMatchObject({ tenantId: 'acme', sequence: await headOf(t, 'acme') });
      expect((await store.readStream('checkpoints-globex'))[0].data).toMatchObject({ tenantId: 'globex', sequence: await headOf(t, 'globex') });
    });
  });

  describe('a copy outside our databases: integrity.checkpoint to webhooks', () => {
    it('pushes each new checkpoint, signed per Standard Webhooks, to the endpoints subscribed to integrity.checkpoint, once', async () => {
      const receiver = await startWebhookReceiver();
      try {
        await start({ WEBHOOK_RETRY_SCHEDULE: '0,100ms', WEBHOOK_POLL_MS: '50' });
        const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
        const endpoint = await auditApi(t.app).http().post('/v1/webhooks').set('Authorization', admin).send({ url: receiver.url, eventTypes: ['integrity.checkpoint'] }).expect(201);
        const [recorded] = await auditApi(t.app).record(writer, [auditEvent()]);
        await auditApi(t.app).list(officer, '', recorded.sequence);
        const checkpoint = await checkpointer.checkpointIfDue('acme', after(0));
        expect(checkpoint).not.toBeNull();
        await receiver.untilReceived(1);
        const [delivered] = receiver.received;
        expect(delivered.json).toMatchObject({ type: 'integrity.checkpoint', data: { tenantId: 'acme', sequence: checkpoint!.sequence, hash: checkpoint!.hash, signature: checkpoint!.signature } });
        expect(() => new Webhook(endpoint.body.secret).verify(delivered.body, delivered.headers)).not.toThrow();
        // Later rounds push the latest checkpoint again (a crash between recording and pushing), but it is the same delivery.
        await checkpointer.checkpointIfDue('acme', after(1));
        await new Promise((r) => setTimeout(r, 300));
        expect(receiver.received.filter((r) => r.json.type === 'integrity.checkpoint')).toHaveLength(1);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('GET /v1/integrity/checkpoints', () => {
    it('lists the tenant\'s checkpoints oldest first, page by page, each signed and linked to the previous one', async () => {
      await start();
      const api = auditApi(t.app);
      for (let i = 0; i < 3; i++) {
        await api.record(writer, [auditEvent()]);
        await checkpointer.checkpointIfDue('acme', after(i * 60));
      }
      const page1 = await api.http().get('/v1/integrity/checkpoints?limit=2').set('Authorization', officer).expect(200);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await api.http().get(`/v1/integrity/checkpoints?limit=2&cursor=${page1.body.nextCursor}`).set('Authorization', officer).expect(200);
      expect(page2.body).toEqual({ items: [expect.objectContaining({ createdAt: after(120).toISOString() })], nextCursor: null });
      const all: Checkpoint[] = [...page1.body.items, ...page2.body.items];
      expect(Object.keys(all[0]).sort()).toEqual(['createdAt', 'hash', 'keyId', 'previousCheckpointHash', 'sequence', 'signature', 'tenantId']);
      const key = await api.http().get('/v1/reports/signing-key').set('Authorization', officer).expect(200);
      const keys = new Map(publicSigningKeysOf(key.body.publicKey).map((k) => [k.keyId, k]));
      expect(checkpointChainProblem(all, keys, 'acme')).toBeNull();
      const forged = all.map((c, i) => (i === 1 ? { ...c, sequence: c.sequence + 1 } : c));
      expect(checkpointChainProblem(forged, keys, 'acme')).toMatchObject({ index: 1, reason: 'signature does not verify' });

      await api.http().get('/v1/integrity/checkpoints?cursor=nonsense').set('Authorization', officer).expect(400);
      const other = await api.http().get('/v1/integrity/checkpoints').set('Authorization', bearer({ roles: ['compliance_officer'], tenant: 'globex' })).expect(200);
      expect(other.body).toEqual({ items: [], nextCursor: null });
    });
  });
});

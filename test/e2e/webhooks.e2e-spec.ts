import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { WebhookClock } from '../../src/webhooks/webhook-clock';
import { WEBHOOK_EVENTS, WebhookEvents } from '../../src/webhooks/webhook-events.port';
import { WEBHOOKS_PROJECTION } from '../../src/webhooks/webhooks.read-model';
import { WebhookStartup } from '../../src/webhooks/delivery/webhook-startup';
import { DELIVERY_STREAM_PREFIX } from '../../src/webhooks/delivery/delivery-state';
import { WEBHOOK_STREAM_PREFIX } from '../../src/webhooks/endpoints/webhook-stream';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { ReceivedWebhook, startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const globexAdmin = bearer({ tenant: 'globex', roles: ['super_admin'], sub: 'gus' });
const writer = bearer({ roles: ['audit_writer'], sub: 'ingest', actorType: 'service' });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Retries run on the configured (millisecond) schedule; a few tests span several attempts.
jest.setTimeout(30_000);

/** Deliveries are at least once: the first arrival of each webhook-id, in arrival order. */
function firstOfEach(received: ReceivedWebhook[]): ReceivedWebhook[] {
  const seen = new Set<string>();
  return received.filter((r) => !seen.has(r.headers['webhook-id']) && seen.add(r.headers['webhook-id']));
}

describe('Webhooks over HTTP against a real receiver on 127.0.0.1 (issue 8)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const http = () => request(t.app.getHttpServer());

  /** Waits until the webhooks read model has applied everything in the log (no sleeping). */
  async function logSettled(): Promise<void> {
    const head = await t.app.get<EventStore>(EVENT_STORE).headPosition({ streamPrefixes: [WEBHOOK_STREAM_PREFIX, DELIVERY_STREAM_PREFIX] });
    if (head !== null) expect(await t.app.get(ProjectionRegistry).runner(WEBHOOKS_PROJECTION).waitFor(head, 5000)).toBe(true);
  }
  async function createEndpoint(body: Json, token = admin): Promise<Json> {
    const res = await http().post('/v1/webhooks').set('Authorization', token).send(body);
    expect(res.status).toBe(201);
    return res.body as Json;
  }
  async function deliveriesOf(id: string): Promise<Json[]> {
    await logSettled();
    return (await http().get(`/v1/webhooks/${id}/deliveries`).set('Authorization', officer).expect(200)).body.items as Json[];
  }
  /** Resolves once the delivery has ended (delivered or failed), read from its stream. */
  async function settled(webhookId: string, deliveryId: string, timeoutMs = 10_000): Promise<Json> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await http().get(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}`).set('Authorization', officer).expect(200);
      if (res.body.status !== 'pending' || Date.now() > until) return res.body as Json;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The answer of `probe` once it is not null (checked every 20 ms, at most 5 s). */
  async function eventually<T>(probe: () => Promise<T | null>): Promise<T> {
    const until = Date.now() + 5000;
    for (;;) {
      const value = await probe();
      if (value !== null || Date.now() > until) return value as T;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await createTestApp({
      env: { WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,1500ms', WEBHOOK_TIMEOUT_MS: '1500', WEBHOOK_POLL_MS: '50' },
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  describe('endpoints and secrets', () => {
    let created: Json;

    it('POST answers 201 with the secret (whsec_ + base64 of 32 bytes) once; GET and the list never show it', async () => {
      // The shared receiver does not subscribe to alerts: creating endpoints raises security-config-change alerts.
      created = await createEndpoint({ url: receiver.url, description: 'SIEM', eventTypes: ['integrity.checkpoint', 'report.ready'] });
      expect(created).toMatchObject({ id: expect.stringMatching(/^wh_[0-9a-f]{24}$/), url: receiver.url, eventTypes: ['report.ready', 'integrity.checkpoint'], enabled: true, version: 1 });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
      const one = await http().get(`/v1/webhooks/${created.id}`).set('Authorization', officer).expect(200);
      const list = await http().get('/v1/webhooks').set('Authorization', officer).expect(200);
      for (const body of [one.body, list.body]) expect(JSON.stringify(body)).not.toContain(created.secret.slice(6));
      expect(one.body).not.toHaveProperty('secret');
      expect(list.body.items.map((w: Json) => w.id)).toContain(created.id);
    });

    it('stores the secret only encrypted: neither events.db nor read.db contains it in clear', async () => {
      await logSettled();
      const key = created.secret.slice(6);
      for (const file of fs.readdirSync(t.dataDir).filter((f) => /\.db(-wal)?$/.test(f))) {
        expect({ file, found: fs.readFileSync(path.join(t.dataDir, file)).includes(key) }).toEqual({ file, found: false });
      }
    });

    it('self-audits the creation as webhook.create with the endpoint as it is after, and no secret in the record', async () => {
      // Read-your-writes: the self-audit record is durable before the 201, not necessarily projected yet.
      const api = auditApi(t.app);
      const items = await api.list(admin, 'action=webhook.create', await api.head(admin));
      const record = items.find((e) => e.resource.id === created.id)!;
      expect(record).toMatchObject({ outcome: 'success', actor: { id: 'root-alice' }, resource: { type: 'webhook', id: created.id }, changes: { before: null, after: { id: created.id, url: receiver.url } } });
      expect(JSON.stringify(record)).not.toContain(created.secret.slice(6));
    });

    it('another tenant sees none of it: GET is 404, the list is empty, a change is 404', async () => {
      await http().get(`/v1/webhooks/${created.id}`).set('Authorization', globexAdmin).expect(404);
      expect((await http().get('/v1/webhooks').set('Authorization', globexAdmin).expect(200)).body.items).toEqual([]);
      await http().put(`/v1/webhooks/${created.id}`).set('Authorization', globexAdmin).send({ enabled: false }).expect(404);
    });

    it('refuses malformed input with 400 and field paths, and writes nothing', async () => {
      const res = await http().post('/v1/webhooks').set('Authorization', admin).send({ url: 'ftp://x', eventTypes: ['alert.raised', 'nope'], filter: { actorType: 'robot' }, extra: 1 }).expect(400);
      expect(res.body.errors.map((e: Json) => e.path).sort()).toEqual(['eventTypes[1]', 'extra', 'filter.actorType', 'url']);
      expect((await http().get('/v1/webhooks').set('Authorization', admin).expect(200)).body.items).toHaveLength(1);
    });

    it('audit.events needs audit:export besides alerts:config:write (403 for a role without it)', async () => {
      const configOnly = bearer({ roles: ['webhook_manager'], sub: 'wm' });
      await http().post('/v1/roles').set('Authorization', admin).send({ name: 'webhook_manager', permissions: ['alerts:config:write', 'alerts:config:read'] }).expect(201);
      await http().post('/v1/webhooks').set('Authorization', configOnly).send({ url: receiver.url, eventTypes: ['audit.events'] }).expect(403);
      await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'], enabled: false }, configOnly);
    });
  });

  describe('signing (Standard Webhooks v1) and the test delivery', () => {
    it('POST /{id}/test delivers webhook.test with webhook-id/-timestamp/-signature that the standardwebhooks package verifies', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      const before = receiver.received.length;
      const res = await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200);
      expect(res.body).toMatchObject({ id: expect.stringMatching(/^msg_/), eventType: 'webhook.test', status: 'delivered', attempts: [{ attempt: 1, httpStatus: 204, outcome: 'delivered' }] });
      const got = receiver.received[before];
      expect(got.headers['webhook-id']).toBe(res.body.id);
      expect(got.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(new Webhook(endpoint.secret).verify(got.body, got.headers)).toMatchObject({ type: 'webhook.test', data: { webhookId: endpoint.id } });
      expect(got.json).toEqual({ type: 'webhook.test', timestamp: res.body.createdAt, data: expect.any(Object) });
      // A wrong secret does not verify (the check above can fail).
      expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(got.body, got.headers)).toThrow();
    });

    it('acts on a change the read model has not applied yet: the test send and the detail read the endpoint from its stream', async () => {
      const runner = t.app.get(ProjectionRegistry).runner(WEBHOOKS_PROJECTION) as ProjectionRunner;
      await runner.stop();
      try {
        // The create waits for the stopped projection in vain, then answers 201: the change is recorded.
        const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
        expect((await http().get(`/v1/webhooks/${endpoint.id}`).set('Authorization', admin).expect(200)).body).toMatchObject({ id: endpoint.id, url: receiver.url });
        const sent = await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200);
        expect(sent.body).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, httpStatus: 204 }] });
      } finally {
        runner.start();
      }
    });

    it('rotation: during the 24 h overlap every delivery carries two signatures, each verifying with one of the secrets; after it, only the new one', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      const clock = t.app.get(WebhookClock);
      try {
        const rotated = (await http().post(`/v1/webhooks/${endpoint.id}/rotate-secret`).set('Authorization', admin).expect(200)).body;
        expect(rotated.secret).toMatch(/^whsec_/);
        expect(rotated.secret).not.toBe(endpoint.secret);
        const sent = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
        const got = receiver.received.find((r) => r.headers['webhook-id'] === sent.id)!;
        expect(got.headers['webhook-signature'].split(' ')).toHaveLength(2);
        expect(new Webhook(rotated.secret).verify(got.body, got.headers)).toBeTruthy();
        expect(new Webhook(endpoint.secret).verify(got.body, got.headers)).toBeTruthy();
        // Rotated again 25 h ago (injected clock): the overlap of that rotation is over now.
        clock.use(() => Date.now() - 25 * 3600_000);
        const again = (await http().post(`/v1/webhooks/${endpoint.id}/rotate-secret`).set('Authorization', admin).expect(200)).body;
        clock.use(Date.now);
        const later = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
        const single = receiver.received.find((r) => r.headers['webhook-id'] === later.id)!;
        expect(single.headers['webhook-signature'].split(' ')).toHaveLength(1);
        expect(new Webhook(again.secret).verify(single.body, single.headers)).toBeTruthy();
        expect(() => new Webhook(rotated.secret).verify(single.body, single.headers)).toThrow();
      } finally {
        clock.use(Date.now);
      }
    });
  });

  describe('retries, 410, timeout, Retry-After, exhaustion (WEBHOOK_RETRY_SCHEDULE=0,100ms,200ms,1500ms)', () => {
    it('retries after two 500s and delivers on the third attempt, with the same webhook-id each time; the log lists the three attempts', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      receiver.reply({ status: 500, body: 'boom' }, { status: 500, body: 'boom again' });
      const first = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
      expect(first).toMatchObject({ status: 'pending', attempts: [{ attempt: 1, httpStatus: 500, outcome: 'retrying', error: 'HTTP 500: boom' }] });
      const done = await settled(endpoint.id, first.id);
      expect(done.status).toBe('delivered');
      expect(done.attempts.map((a: Json) => [a.httpStatus, a.outcome])).toEqual([[500, 'retrying'], [500, 'retrying'], [204, 'delivered']]);
      expect(receiver.received.filter((r) => r.headers['webhook-id'] === first.id)).toHaveLength(3);
      const logged = (await deliveriesOf(endpoint.id)).find((d) => d.id === first.id)!;
      expect(logged).toMatchObject({ status: 'delivered', attempts: [{ httpStatus: 500, error: 'HTTP 500: boom', durationMs: expect.any(Number), at: expect.any(String) }, { httpStatus: 500 }, { httpStatus: 204 }] });
    });

    it('a 410 disables the endpoint (disabledReason), fails the delivery without retrying, and records webhook.disable in the audit log', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      receiver.reply({ status: 410 });
      const sent = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
      expect(sent).toMatchObject({ status: 'failed', attempts: [{ httpStatus: 410, outcome: 'gone' }] });
      await logSettled();
      expect((await http().get(`/v1/webhooks/${endpoint.id}`).set('Authorization', officer).expect(200)).body).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
      const api = auditApi(t.app);
      const records = await api.list(admin, `action=webhook.disable&resourceId=${endpoint.id}`, await api.head(admin));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ actor: { type: 'system' }, channel: 'system' });
      await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(409);
    });

    it('an answer slower than WEBHOOK_TIMEOUT_MS (1500 ms) is a failed attempt with a timeout error, then retried', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      receiver.reply({ status: 204, delayMs: 5000 });
      const sent = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
      expect(sent.attempts[0]).toMatchObject({ httpStatus: null, outcome: 'retrying', error: 'timeout after 1500 ms' });
      expect(sent.attempts[0].durationMs).toBeGreaterThanOrEqual(1500);
      expect((await settled(endpoint.id, sent.id)).status).toBe('delivered');
    });

    it('honours Retry-After: after a 503 with Retry-After: 1 the next attempt comes about 1 s later, not after the scheduled 100 ms', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      receiver.reply({ status: 503, headers: { 'Retry-After': '1' } });
      const sent = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
      const done = await settled(endpoint.id, sent.id);
      expect(done.status).toBe('delivered');
      const gap = Date.parse(done.attempts[1].at) - Date.parse(done.attempts[0].at);
      expect(gap).toBeGreaterThanOrEqual(1000);
    });

    it('exhausting the schedule fails the delivery, notifies the alert recipients once, and a manual retry (same webhook-id) delivers it', async () => {
      const endpoint = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
      receiver.reply(...Array.from({ length: 4 }, () => ({ status: 502 })));
      const sent = (await http().post(`/v1/webhooks/${endpoint.id}/test`).set('Authorization', admin).expect(200)).body;
      const failed = await settled(endpoint.id, sent.id);
      expect(failed).toMatchObject({ status: 'failed', nextAttemptAt: null });
      expect(failed.attempts.map((a: Json) => a.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
      // The alert recipients (by default compliance_officer and super_admin) get one notification.
      const inbox = await eventually(async () => {
        const items = (await http().get('/v1/notifications').set('Authorization', officer).expect(200)).body.items as Json[];
        return items.some((n) => String(n.link).includes(sent.id)) ? items : null;
      });
      expect(inbox.filter((n) => n.kind === 'webhook' && String(n.link).includes(sent.id))).toEqual([
        expect.objectContaining({ kind: 'webhook', link: `/v1/webhooks/${endpoint.id}/deliveries/${sent.id}`, title: expect.stringContaining('Webhook delivery failed after 4 attempt(s)') }),
      ]);
      const retried = await http().post(`/v1/webhooks/${endpoint.id}/deliveries/${sent.id}/retry`).set('Authorization', admin).expect(202);
      expect(retried.body.status).toBe('pending');
      const done = await settled(endpoint.id, sent.id);
      expect(done.status).toBe('delivered');
      expect(done.attempts).toHaveLength(5);
      expect(receiver.received.filter((r) => r.headers['webhook-id'] === sent.id)).toHaveLength(5);
    });

    it('one endpoint that never answers does not delay another endpoint', async () => {
      const slow = await startWebhookReceiver({ status: 204, delayMs: 10_000 });
      try {
        const stuck = await createEndpoint({ url: slow.url, eventTypes: ['report.ready'] });
        const healthy = await createEndpoint({ url: receiver.url, eventTypes: ['report.ready'] });
        void http().post(`/v1/webhooks/${stuck.id}/test`).set('Authorization', admin).then(() => undefined);
        void http().post(`/v1/webhooks/${stuck.id}/test`).set('Authorization', admin).then(() => undefined);
        await slow.untilReceived(2);
        const started = Date.now();
        const fast = (await http().post(`/v1/webhooks/${healthy.id}/test`).set('Authorization', admin).expect(200)).body;
        expect(fast.status).toBe('delivered');
        // Delivered while both requests to the stuck endpoint are still waiting for their timeout.
        expect(Date.now() - started).toBeLessThan(1500);
      } finally {
        await slow.close();
      }
    });
  });

  describe('alert.raised and alert.updated', () => {
    it('an alert raised by a rule is delivered as alert.raised, its triage as alert.updated, each once, signed, to subscribed endpoints only', async () => {
      const alerts = await startWebhookReceiver();
      const other = await startWebhookReceiver();
      try {
        const endpoint = await createEndpoint({ url: alerts.url, eventTypes: ['alert.raised', 'alert.updated'] });
        await createEndpoint({ url: other.url, eventTypes: ['report.ready'] });
        const T0 = Date.now() - 60_000;
        const denied = [0, 1, 2, 3, 4].map((s) =>
          auditEvent({ occurredAt: new Date(T0 + s * 1000).toISOString(), actor: { id: 'mallory', type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' }, channel: 'api' }),
        );
        await auditApi(t.app).record(writer, denied);
        const ofMallory = () => alerts.received.filter((r) => ((r.json.data.alert as Json).groupKey as Json)['actor.id'] === 'mallory');
        while (ofMallory().length < 1) await alerts.untilReceived(alerts.received.length + 1);
        // Creating the endpoints is itself a security configuration change: those alerts arrive too.
        expect(alerts.received.some((r) => (r.json.data.alert as Json).ruleId === 'security-config-change')).toBe(true);
        const raised = ofMallory()[0];
        expect(raised.json).toMatchObject({ type: 'alert.raised', data: { alert: { ruleId: 'privilege-escalation-attempts', status: 'open', groupKey: { 'actor.id': 'mallory' }, eventCount: 5 } } });
        expect(new Webhook(endpoint.secret).verify(raised.body, raised.headers)).toBeTruthy();
        const alertId = (raised.json.data.alert as Json).id as string;
        await http().post(`/v1/alerts/${alertId}/acknowledge`).set('Authorization', admin).send({ note: 'looking' }).expect(200);
        while (ofMallory().length < 2) await alerts.untilReceived(alerts.received.length + 1);
        expect(ofMallory().map((r) => r.json.type)).toEqual(['alert.raised', 'alert.updated']);
        expect(ofMallory()[1].json).toMatchObject({ type: 'alert.updated', data: { alert: { id: alertId, status: 'acknowledged' } } });
        expect(new Set(alerts.received.map((r) => r.headers['webhook-id'])).size).toBe(alerts.received.length);
        expect(other.received).toEqual([]);
      } finally {
        await alerts.close();
        await other.close();
      }
    });
  });

  describe('WEBHOOK_EVENTS for other modules (report.ready, integrity.checkpoint)', () => {
    it('publishing a draft persists one delivery per subscribed endpoint (endpointIds narrows it); the same key again creates nothing', async () => {
      const reports = await startWebhookReceiver();
      try {
        const a = await createEndpoint({ url: reports.url, eventTypes: ['report.ready'] });
        const b = await createEndpoint({ url: reports.url, eventTypes: ['report.ready'] });
        await createEndpoint({ url: reports.url, eventTypes: ['integrity.checkpoint'] });
        const port = t.app.get<WebhookEvents>(WEBHOOK_EVENTS);
        await port.publish('acme', { type: 'report.ready', key: 'report-r1', data: { reportId: 'r1' } });
        await port.publish('acme', { type: 'report.ready', key: 'report-r1', data: { reportId: 'r1' } });
        await port.publish('acme', { type: 'report.ready', key: 'report-r2', data: { reportId: 'r2' }, endpointIds: [b.id] });
        await reports.untilReceived(3);
        await logSettled();
        expect((await deliveriesOf(a.id)).map((d) => d.eventType)).toEqual(['report.ready']);
        expect((await deliveriesOf(b.id)).map((d) => d.eventType)).toEqual(['report.ready', 'report.ready']);
        // At least once: a redelivery (same webhook-id) may follow a slow answer; distinct deliveries are three.
        expect(firstOfEach(reports.received).map((r) => [r.json.type, r.json.data.reportId]).sort()).toEqual([['report.ready', 'r1'], ['report.ready', 'r1'], ['report.ready', 'r2']]);
      } finally {
        await reports.close();
      }
    });
  });

  describe('audit.events streaming', () => {
    it('sends the stored events matching the filter in batches of at most 100, in sequence order without gaps, signed', async () => {
      const stream = await startWebhookReceiver();
      try {
        const endpoint = await createEndpoint({ url: stream.url, eventTypes: ['audit.events'], filter: { resourceType: 'invoice', excludeSelfAudit: true } });
        const events = Array.from({ length: 250 }, (_, i) => auditEvent({ resource: { type: i % 5 === 0 ? 'order' : 'invoice', id: `INV-${i}` } }));
        const receipts = await auditApi(t.app).record(writer, events);
        const wanted = receipts.filter((_, i) => i % 5 !== 0).map((r) => r.sequence);
        const sequencesOf = (received: ReceivedWebhook[]) => firstOfEach(received).flatMap((r) => (r.json.data.events as Json[]).map((e) => e.sequence as number));
        // Looks before it waits: every batch may have arrived already.
        while (sequencesOf(stream.received).length < wanted.length) await stream.untilReceived(stream.received.length + 1);
        expect(sequencesOf(stream.received)).toEqual(wanted);
        // Replay of a time range: the same events again, as new deliveries in order, marked with the replay id.
        const live = stream.received.length;
        const replay = (await http().post(`/v1/webhooks/${endpoint.id}/replay`).set('Authorization', admin).send({ from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' }).expect(202)).body;
        expect(replay).toMatchObject({ replayId: expect.stringMatching(/^rpl_/), status: 'started' });
        while (sequencesOf(stream.received.slice(live)).length < wanted.length) await stream.untilReceived(stream.received.length + 1);
        const replayed = sequencesOf(stream.received.slice(live));
        expect(replayed).toEqual(wanted);
        expect(stream.received.slice(live).every((r) => r.json.data.replayId === replay.replayId)).toBe(true);
        // The delivery log shows every batch delivered: a busy feed records an acceptance with the next
        // batch's creation, an idle one on its own.
        const log = await eventually(async () => {
          const items = await deliveriesOf(endpoint.id);
          return items.length > 0 && items.every((d) => d.status === 'delivered') ? items : null;
        });
        expect(log.length).toBe(firstOfEach(stream.received).length);
        expect(log.filter((d) => d.audit.feed).map((d) => d.audit.fromSequence).reverse()).toEqual(firstOfEach(stream.received.slice(0, live)).map((r) => r.json.data.fromSequence));
        for (const r of stream.received) {
          expect(r.json.type).toBe('audit.events');
          expect((r.json.data.events as Json[]).length).toBeGreaterThanOrEqual(1);
          expect((r.json.data.events as Json[]).length).toBeLessThanOrEqual(100);
          expect(new Webhook(endpoint.secret).verify(r.body, r.headers)).toBeTruthy();
        }
      } finally {
        await stream.close();
      }
    });
  });
});

describe('audit.events across a restart of the service', () => {
  it('resumes after the last accepted batch: every event arrives, in order, no gaps; a re-sent batch keeps its webhook-id', async () => {
    const stream = await startWebhookReceiver();
    const env = { WEBHOOK_RETRY_SCHEDULE: '0,50ms', WEBHOOK_POLL_MS: '50' };
    let t = await createTestApp({ env });
    const dataDir = t.dataDir;
    try {
      const endpoint = (await request(t.app.getHttpServer()).post('/v1/webhooks').set('Authorization', admin).send({ url: stream.url, eventTypes: ['audit.events'], filter: { excludeSelfAudit: true } }).expect(201)).body;
      // The first batch is accepted; the second is answered only after the service has stopped.
      stream.reply({ status: 204 }, { status: 204, delayMs: 60_000 });
      const first = await auditApi(t.app).record(writer, Array.from({ length: 150 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `A-${i}` } })));
      await stream.untilReceived(2);
      await t.app.close();
      t = await createTestApp({ env: { ...env, DATA_DIR: dataDir } });
      await t.app.get(WebhookStartup).ready;
      const second = await auditApi(t.app).record(writer, Array.from({ length: 120 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `B-${i}` } })));
      const wanted = [...first, ...second].map((r) => r.sequence);
      const byId = new Map<string, number[]>();
      for (;;) {
        byId.clear();
        for (const r of stream.received) byId.set(r.headers['webhook-id'], (r.json.data.events as Json[]).map((e) => e.sequence as number));
        if ([...byId.values()].flat().length >= wanted.length) break;
        await stream.untilReceived(stream.received.length + 1);
      }
      // The batch in flight at the stop was sent again after the restart with the same webhook-id and events.
      const ids = stream.received.map((r) => r.headers['webhook-id']);
      expect(ids[1]).toBe(ids[2]);
      expect(stream.received[2].body).toBe(stream.received[1].body);
      expect([...byId.values()].flat()).toEqual(wanted);
      expect(endpoint.id).toMatch(/^wh_/);
    } finally {
      await t.app.close();
      await stream.close();
    }
  });
});

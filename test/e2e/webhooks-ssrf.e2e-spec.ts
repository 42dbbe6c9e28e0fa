import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import request from 'supertest';
import { WebhookResolver } from '../../src/webhooks/webhook-clock';
import { createTestApp, TestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { bearer } from '../support/tokens';
import { startWebhookReceiver, WebhookReceiver } from '../support/webhook-receiver';

const admin = bearer({ roles: ['super_admin'], sub: 'root-alice' });

/** Production mode: a webhook secrets key file is required (the service refuses to start without one). */
function productionEnv(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; cleanup(): void } {
  const keys = makeTempDir();
  const file = path.join(keys.dir, 'webhook-secrets.key');
  fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return { env: { NODE_ENV: 'production', WEBHOOK_SECRETS_KEY_FILE: file, WEBHOOK_RETRY_SCHEDULE: '0', ...extra }, cleanup: keys.cleanup };
}

describe('Webhook SSRF defences in production mode (issue 8 item 6)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let keys: { cleanup(): void };
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    const production = productionEnv();
    keys = production;
    t = await createTestApp({ env: production.env });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    keys.cleanup();
  });

  it.each([
    ['plain http', `http://siem.example.com/hook`, 'must use https in production'],
    ['a loopback IPv4 literal', 'https://127.0.0.1:8443/hook', 'must not target a loopback, private, link-local or metadata address'],
    ['a private IPv4 literal', 'https://10.1.2.3/hook', 'must not target a loopback, private, link-local or metadata address'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/', 'must not target a loopback, private, link-local or metadata address'],
    ['IPv6 loopback', 'https://[::1]/hook', 'must not target a loopback, private, link-local or metadata address'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook', 'must not target a loopback, private, link-local or metadata address'],
    ['an IPv6 unique-local address', 'https://[fd00::1]/hook', 'must not target a loopback, private, link-local or metadata address'],
    ['localhost', 'https://localhost:8443/hook', 'must not target a local host name'],
  ])('refuses %s at creation with 422 naming url, and creates nothing', async (_what, url, message) => {
    const res = await http().post('/v1/webhooks').set('Authorization', admin).send({ url, eventTypes: ['alert.raised'] }).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ path: 'url', message }]);
    expect((await http().get('/v1/webhooks').set('Authorization', admin).expect(200)).body.items).toEqual([]);
  });

  it('checks the address DNS returns at delivery time: a public-looking name that resolves to 127.0.0.1 is refused before any connection', async () => {
    const port = receiver.port;
    const resolver = t.app.get(WebhookResolver);
    const original = resolver.lookup;
    const asked: string[] = [];
    // The name is accepted at creation; by delivery time it resolves to loopback (DNS rebinding).
    resolver.lookup = ((hostname: string, _options: unknown, callback: (error: null, addresses: LookupAddress[]) => void) => {
      asked.push(hostname);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    }) as unknown as typeof resolver.lookup;
    try {
      const created = (await http().post('/v1/webhooks').set('Authorization', admin).send({ url: `https://siem.example.test:${port}/hook`, eventTypes: ['alert.raised'] }).expect(201)).body;
      const sent = (await http().post(`/v1/webhooks/${created.id}/test`).set('Authorization', admin).expect(200)).body;
      // The name was resolved at delivery time (the socket may ask more than once: each answer is checked).
      expect(asked.length).toBeGreaterThanOrEqual(1);
      expect(new Set(asked)).toEqual(new Set(['siem.example.test']));
      expect(sent).toMatchObject({ status: 'failed', attempts: [{ httpStatus: null, outcome: 'failed', error: 'refused: siem.example.test resolves to 127.0.0.1, a loopback, private, link-local or metadata address' }] });
      expect(receiver.received).toEqual([]);
    } finally {
      resolver.lookup = original;
    }
  });
});

describe('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true in production', () => {
  it('accepts a private target (https still required)', async () => {
    const production = productionEnv({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    const t = await createTestApp({ env: production.env });
    try {
      const http = () => request(t.app.getHttpServer());
      await http().post('/v1/webhooks').set('Authorization', admin).send({ url: 'https://10.1.2.3/hook', eventTypes: ['alert.raised'] }).expect(201);
      await http().post('/v1/webhooks').set('Authorization', admin).send({ url: 'http://10.1.2.3/hook', eventTypes: ['alert.raised'] }).expect(422);
    } finally {
      await t.close();
      production.cleanup();
    }
  });
});

import * as jwt from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { TEST_JWT_SECRET } from '../support/tokens';

/** A protected route every valid claim set below may read (compliance_officer has audit:read). */
const PROTECTED = '/v1/audit-events';
const DAY = 24 * 60 * 60;

const now = () => Math.floor(Date.now() / 1000);
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** Valid claims; override or remove (undefined) any of them. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = { sub: 'alice', tenant: 'acme', roles: ['compliance_officer'], iat: now(), exp: now() + 3600, ...overrides };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** An HS256 token over exactly this header and payload JSON text (so that e.g. `1e400` survives). */
function rawToken(headerJson: string, payloadJson: string, secret = TEST_JWT_SECRET): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const HS256 = JSON.stringify({ alg: 'HS256', typ: 'JWT' });
const signedClaims = (overrides: Record<string, unknown> = {}) => rawToken(HS256, JSON.stringify(claims(overrides)));

function expectUnauthorized(res: request.Response, detail?: RegExp): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  if (detail) expect(res.body.detail).toMatch(detail);
}

describe('Token claims are validated like any input', () => {
  let t: TestApp;
  const get = (token: string) => request(t.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${token}`);
  const eventCount = async () => (await t.app.get<EventStore>(EVENT_STORE).readAll()).length;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('accepts the valid claims the cases below start from (control)', async () => {
    expect((await get(signedClaims())).status).toBe(200);
  });

  describe('exp', () => {
    it('refuses exp 1e400 (Infinity once parsed: a token that would never expire)', async () => {
      const payload = JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400');
      expect(payload).toContain('"exp":1e400');
      expectUnauthorized(await get(rawToken(HS256, payload)), /exp/);
    });

    it('refuses a fractional exp', async () => {
      expectUnauthorized(await get(signedClaims({ exp: now() + 3600.5 })), /exp/);
    });

    it('refuses an exp beyond the safe integer range', async () => {
      expectUnauthorized(await get(signedClaims({ exp: 2 ** 60 })), /exp/);
    });

    it('refuses a non-finite iat (-1e400)', async () => {
      const payload = JSON.stringify(claims({ iat: 0 })).replace('"iat":0', '"iat":-1e400');
      expectUnauthorized(await get(rawToken(HS256, payload)), /iat/);
    });
  });

  describe('maximum token lifetime (JWT_MAX_LIFETIME_SECONDS, default 24 h)', () => {
    it('accepts a token whose exp - iat is exactly 24 h', async () => {
      const iat = now() - 10;
      expect((await get(signedClaims({ iat, exp: iat + DAY }))).status).toBe(200);
    });

    it('refuses a token whose exp - iat exceeds 24 h, naming the limit', async () => {
      const iat = now() - 10;
      expectUnauthorized(await get(signedClaims({ iat, exp: iat + DAY + 1 })), /lifetime.*86400/);
    });

    it('refuses a token without iat whose exp is more than 24 h away', async () => {
      expectUnauthorized(await get(signedClaims({ iat: undefined, exp: now() + DAY + 120 })), /lifetime/);
    });

    it('refuses a token whose iat lies in the future so that exp - iat looks short', async () => {
      expectUnauthorized(await get(signedClaims({ iat: now() + 10 * DAY, exp: now() + 10 * DAY + 60 })), /lifetime/);
    });
  });

  describe('JWS "crit" header parameter (RFC 7515 §4.1.11)', () => {
    it('refuses a token whose header names a critical extension the service does not understand', async () => {
      const header = JSON.stringify({ alg: 'HS256', typ: 'JWT', crit: ['urn:example:must-understand'], 'urn:example:must-understand': true });
      expectUnauthorized(await get(rawToken(header, JSON.stringify(claims()))), /crit/);
    });

    it('refuses "crit" even when it lists a registered parameter (b64, RFC 7797)', async () => {
      const header = JSON.stringify({ alg: 'HS256', typ: 'JWT', crit: ['b64'], b64: true });
      expectUnauthorized(await get(rawToken(header, JSON.stringify(claims()))), /crit/);
    });

    it('refuses a malformed "crit" (not a list)', async () => {
      const header = JSON.stringify({ alg: 'HS256', typ: 'JWT', crit: 'exp' });
      expectUnauthorized(await get(rawToken(header, JSON.stringify(claims()))), /crit/);
    });
  });

  describe.each<[string, string, unknown[]]>([
    ['sub', 'sub', ['\uD800', 'ali\uDC00ce', 'ali\u0000ce', 'ali\nce', 'ali\u009Fce', 'a'.repeat(257), 42, ['alice'], '']],
    ['roles', 'roles', ['compliance_officer', ['compliance_officer', 7], ['compliance_officer', null], ['\uD800'], ['role\u0007'], ['r'.repeat(129)], Array(101).fill('x')]],
    ['sid', 'sid', ['\uDBFF', 's\u001Bid', 's'.repeat(257), 12, '']],
    ['actor_type', 'actor_type', ['root', 'system', 'USER', 1, '']],
    ['tenant', 'tenant', ['acme\uD800', 'acme\u0000', 'ac me', 'acme~x']],
  ])('%s', (_label, claim, badValues) => {
    it.each(badValues.map((value) => [JSON.stringify(value).slice(0, 40), value]))(`refuses ${claim} = %s with 401`, async (_shown, value) => {
      expectUnauthorized(await get(signedClaims({ [claim]: value })), new RegExp(claim));
    });
  });

  it('refuses a token without a roles claim (a list, possibly empty, is required)', async () => {
    expectUnauthorized(await get(signedClaims({ roles: undefined })), /roles/);
  });

  it('still answers 403 (not 401) for well-formed role names the service does not know', async () => {
    expect((await get(signedClaims({ roles: ['janitor', '__proto__', 'constructor'] }))).status).toBe(403);
  });

  it('accepts sub, sid and roles at their maximum lengths with non-ASCII letters and a surrogate pair', async () => {
    const sub = `${'ü'.repeat(254)}😀`;
    expect(sub.length).toBe(256);
    expect((await get(signedClaims({ sub, sid: 's'.repeat(256), roles: ['compliance_officer', 'r'.repeat(128)], actor_type: 'service' }))).status).toBe(200);
  });

  it('a lone-surrogate sub sent alongside 200 concurrent legitimate writes (also via X-Tenant-Id) is refused alone: every legitimate write is recorded', async () => {
    const writer = `Bearer ${signedClaims({ sub: 'svc-ok', roles: ['audit_writer'], actor_type: 'service' })}`;
    const poisonOwn = `Bearer ${signedClaims({ sub: 'x\uD800', roles: ['audit_writer'] })}`;
    const poisonCross = `Bearer ${signedClaims({ sub: '\uDFFFadmin', tenant: 'platform', roles: ['platform_admin'] })}`;
    const post = (authorization: string, tenantHeader?: string) => {
      const req = request(t.app.getHttpServer()).post('/v1/audit-events').set('Authorization', authorization).send(auditEvent());
      return tenantHeader ? req.set('X-Tenant-Id', tenantHeader) : req;
    };
    const legit = Array.from({ length: 200 }, () => post(writer));
    const poison = Array.from({ length: 10 }, (_, i) => (i % 2 ? post(poisonOwn) : post(poisonCross, 'acme')));
    const [legitResults, poisonResults] = await Promise.all([Promise.all(legit), Promise.all(poison)]);
    expect(legitResults.map((r) => r.status)).toEqual(Array(200).fill(201));
    expect(poisonResults.map((r) => r.status)).toEqual(Array(10).fill(401));
  }, 60_000);

  it('writes nothing for refused claims, also with X-Tenant-Id naming another tenant', async () => {
    await get(signedClaims()).expect(200);
    const before = await eventCount();
    const refused = [
      signedClaims({ sub: '\uD800' }),
      signedClaims({ sub: 'x\u0000', roles: ['platform_admin'] }),
      signedClaims({ roles: [1] }),
      jwt.sign(claims({ sub: 'lone\uD800', roles: ['platform_admin'], exp: undefined, iat: undefined }), TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 60 }),
    ];
    for (const token of refused) {
      const res = await request(t.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${token}`).set('X-Tenant-Id', 'globex');
      expectUnauthorized(res);
    }
    expect(await eventCount()).toBe(before);
  });
});

// Its own app, after the one above is closed: passport keeps one global 'jwt' strategy, so two apps
// with different settings must not be alive at once.
describe('JWT_MAX_LIFETIME_SECONDS', () => {
  it('refuses tokens living longer than the configured maximum and accepts those within it', async () => {
    const short = await createTestApp({ env: { JWT_MAX_LIFETIME_SECONDS: '600' } });
    try {
      const send = (token: string) => request(short.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${token}`);
      expect((await send(signedClaims({ exp: now() + 600 }))).status).toBe(200);
      expectUnauthorized(await send(signedClaims({ exp: now() + 3600 })), /lifetime.*600/);
    } finally {
      await short.close();
    }
  });
});

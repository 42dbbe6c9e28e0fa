import * as jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer, TEST_JWT_SECRET, tokenFor } from '../support/tokens';

/** A protected route: needs audit:read (or audit:read:own); compliance_officer has it. */
const PROTECTED = '/v1/audit-events';

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

/** Valid claims for the default tenant; override or remove (undefined) any of them. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = { sub: 'alice', tenant: 'acme', roles: ['compliance_officer'], iat: now(), exp: now() + 3600, ...overrides };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** header.payload.signature built by hand, so that nothing in a JWT library can refuse to produce it. */
function handMadeToken(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (signingInput: string) => string = () => ''): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${sign(signingInput)}`;
}

const hs256With = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest('base64url');

/** Signed with jsonwebtoken, taking exp/iat from the claims as given (no expiresIn). */
const signed = (payload: Record<string, unknown>, key: jwt.Secret, algorithm: jwt.Algorithm) => jwt.sign(payload, key, { algorithm });

function expectUnauthorized(res: request.Response): void {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
  expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
}

function expectForbidden(res: request.Response): void {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toBeUndefined();
}

describe('Authentication (Bearer JWT)', () => {
  describe('with an HS256 shared secret (JWT_SECRET)', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());
    const get = (authorization?: string) => {
      const req = http().get(PROTECTED);
      return authorization === undefined ? req : req.set('Authorization', authorization);
    };

    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t?.close());

    it('accepts a valid token (control for the cases below)', async () => {
      const res = await get(bearer({ roles: ['compliance_officer'] }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: expect.any(Array), nextCursor: null });
    });

    it('refuses a request without an Authorization header', async () => {
      const res = await get();
      expectUnauthorized(res);
      expect(res.body.detail).toBe('A Bearer token is required');
    });

    it('refuses "Authorization: Bearer" without a token', async () => {
      expectUnauthorized(await get('Bearer'));
    });

    it('refuses "Authorization: Bearer " with an empty token', async () => {
      expectUnauthorized(await get('Bearer '));
    });

    it('refuses another scheme ("Basic x")', async () => {
      expectUnauthorized(await get('Basic x'));
    });

    it('refuses a valid token under another scheme ("Token <jwt>")', async () => {
      expectUnauthorized(await get(`Token ${tokenFor({ roles: ['compliance_officer'] })}`));
    });

    it('refuses a Bearer value that is not a JWT', async () => {
      expectUnauthorized(await get('Bearer not-a-jwt'));
    });

    it('refuses an unsigned token (alg "none")', async () => {
      const token = handMadeToken({ alg: 'none', typ: 'JWT' }, claims());
      expect(token.endsWith('.')).toBe(true);
      expectUnauthorized(await get(`Bearer ${token}`));
    });

    it('refuses an unsigned token with alg "None" (case variant)', async () => {
      expectUnauthorized(await get(`Bearer ${handMadeToken({ alg: 'None', typ: 'JWT' }, claims())}`));
    });

    it('refuses an HS256 token whose signature was stripped', async () => {
      const [header, payload] = tokenFor({ roles: ['compliance_officer'] }).split('.');
      expectUnauthorized(await get(`Bearer ${header}.${payload}.`));
    });

    it('refuses a token whose payload was altered after signing', async () => {
      const [header, , signature] = tokenFor({ roles: ['standard_user'] }).split('.');
      expectUnauthorized(await get(`Bearer ${header}.${b64url(claims({ roles: ['super_admin'] }))}.${signature}`));
    });

    it('refuses a token signed with a different secret', async () => {
      const res = await get(bearer({ roles: ['compliance_officer'], secret: 'another-secret-0123456789abcdef0123456789' }));
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/invalid signature/);
    });

    it('refuses an expired token', async () => {
      const res = await get(`Bearer ${signed(claims({ iat: now() - 7200, exp: now() - 60 }), TEST_JWT_SECRET, 'HS256')}`);
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/expired/);
    });

    it('refuses a token without exp', async () => {
      const token = jwt.sign({ tenant: 'acme', roles: ['compliance_officer'] }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'alice' });
      expect(jwt.decode(token)).not.toHaveProperty('exp');
      const res = await get(`Bearer ${token}`);
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/exp/);
    });

    it('refuses a token whose exp is not a number', async () => {
      // jsonwebtoken.sign refuses a non-numeric exp, so the token is assembled by hand.
      expectUnauthorized(await get(`Bearer ${handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims({ exp: '9999999999' }), hs256With(TEST_JWT_SECRET))}`));
    });

    it('refuses a token that is not valid yet (nbf in the future)', async () => {
      expectUnauthorized(await get(`Bearer ${signed(claims({ nbf: now() + 600 }), TEST_JWT_SECRET, 'HS256')}`));
    });

    it('refuses a token without a tenant claim', async () => {
      const res = await get(`Bearer ${signed(claims({ tenant: undefined }), TEST_JWT_SECRET, 'HS256')}`);
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/tenant/);
    });

    it.each<[string, unknown]>([
      ['a tilde ("acme~x", the stream-name escape of "-")', 'acme~x'],
      ['a path traversal ("../x")', '../x'],
      ['a slash ("acme/x")', 'acme/x'],
      ['a space ("acme x")', 'acme x'],
      ['an empty string', ''],
      ['more than 128 characters', 'a'.repeat(129)],
      ['a number', 42],
      ['an array', ['acme']],
    ])('refuses a token with an invalid tenant id: %s', async (_label, tenant) => {
      const res = await get(`Bearer ${signed(claims({ tenant }), TEST_JWT_SECRET, 'HS256')}`);
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/tenant/);
    });

    it('refuses a token without a subject (sub)', async () => {
      expectUnauthorized(await get(`Bearer ${signed(claims({ sub: undefined }), TEST_JWT_SECRET, 'HS256')}`));
    });

    it('refuses an HS384 token signed with the right secret (algorithm allow-list is HS256 only)', async () => {
      expectUnauthorized(await get(`Bearer ${signed(claims(), TEST_JWT_SECRET, 'HS384')}`));
    });

    it.each<[string, unknown]>([
      ['an unknown role', ['janitor']],
      ['a role in the wrong case', ['SUPER_ADMIN']],
      ['inherited object property names', ['constructor', 'toString', '__proto__']],
      ['no roles', []],
    ])('grants nothing for %s (403, not 401)', async (_label, roles) => {
      const res = await get(`Bearer ${signed(claims({ roles }), TEST_JWT_SECRET, 'HS256')}`);
      expectForbidden(res);
      expect(res.body.detail).toMatch(/audit:read/);
    });

    it('refuses roles given as a string instead of a list (401: an unusable claim, see token-claims.e2e-spec)', async () => {
      const res = await get(`Bearer ${signed(claims({ roles: 'super_admin' }), TEST_JWT_SECRET, 'HS256')}`);
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/roles/);
    });

    it('ignores unknown roles next to a known one', async () => {
      expect((await get(bearer({ roles: ['janitor', 'compliance_officer'] }))).status).toBe(200);
    });

    describe('actor_type claim', () => {
      const officer = bearer({ roles: ['compliance_officer'], sub: 'olivia' });
      /** The head of the tenant chain (the verify request's own record included). */
      const head = async () => (await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body.headSequence as number;

      /** The actor recorded by the self-audit of one GET /v1/audit-events made with these claims. */
      async function recordedActorFor(sub: string, extra: Record<string, unknown>) {
        await get(`Bearer ${signed(claims({ sub, ...extra }), TEST_JWT_SECRET, 'HS256')}`).expect(200);
        const res = await http()
          .get(`${PROTECTED}?action=audit_log.search&actorId=${sub}&minSequence=${await head()}`)
          .set('Authorization', officer)
          .expect(200);
        expect(res.body.items).toHaveLength(1);
        return res.body.items[0].actor as { id: string; type: string };
      }

      it('defaults to user when the claim is absent', async () => {
        expect(await recordedActorFor('no-actor-type', {})).toMatchObject({ id: 'no-actor-type', type: 'user' });
      });

      it.each<[string, unknown]>([
        ['not a known actor type', 'root'],
        ['not a string', 1],
      ])('refuses the token (401) when the claim is %s', async (_label, actorType) => {
        const res = await get(`Bearer ${signed(claims({ sub: 'bogus-actor-type', actor_type: actorType }), TEST_JWT_SECRET, 'HS256')}`);
        expectUnauthorized(res);
        expect(res.body.detail).toMatch(/actor_type/);
      });

      it('keeps a known actor type (service)', async () => {
        expect(await recordedActorFor('a-service', { actor_type: 'service' })).toMatchObject({ type: 'service' });
      });
    });
  });

  describe('with an RS256 public key (JWT_PUBLIC_KEY)', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = pemOf(rsa.publicKey);
    let t: TestApp;
    const get = (token: string) => request(t.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      t = await createTestApp({ env: { JWT_SECRET: undefined, JWT_PUBLIC_KEY: publicPem } });
      expect(t.config.jwt.key).toMatchObject({ kind: 'public-key', algorithm: 'RS256' });
    });
    afterAll(() => t?.close());

    it('accepts an RS256 token signed with the matching private key', async () => {
      expect((await get(signed(claims(), rsa.privateKey, 'RS256'))).status).toBe(200);
    });

    it('accepts the key given on one line with literal "\\n" sequences', async () => {
      const oneLine = await createTestApp({ env: { JWT_SECRET: undefined, JWT_PUBLIC_KEY: publicPem.trimEnd().replace(/\n/g, '\\n') } });
      try {
        const res = await request(oneLine.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${signed(claims(), rsa.privateKey, 'RS256')}`);
        expect(res.status).toBe(200);
      } finally {
        await oneLine.close();
      }
    });

    it('refuses an HS256 token whose HMAC secret is the PEM public key text (algorithm confusion)', async () => {
      expectUnauthorized(await get(handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims(), hs256With(publicPem))));
    });

    it('refuses an HS256 token whose HMAC secret is the PEM text without its final newline (algorithm confusion)', async () => {
      expectUnauthorized(await get(handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims(), hs256With(publicPem.trimEnd()))));
    });

    it('refuses an HS256 token signed with the test shared secret', async () => {
      expectUnauthorized(await get(tokenFor({ roles: ['compliance_officer'] })));
    });

    it('refuses an RS256 token signed with another key pair', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expectUnauthorized(await get(signed(claims(), other.privateKey, 'RS256')));
    });

    it('refuses an unsigned token (alg "none")', async () => {
      expectUnauthorized(await get(handMadeToken({ alg: 'none', typ: 'JWT' }, claims())));
    });

    it('refuses a PS256 token signed with the right RSA key (algorithm allow-list is RS256 only)', async () => {
      expectUnauthorized(await get(signed(claims(), rsa.privateKey, 'PS256')));
    });

    it('refuses an expired RS256 token', async () => {
      expectUnauthorized(await get(signed(claims({ iat: now() - 7200, exp: now() - 60 }), rsa.privateKey, 'RS256')));
    });

    it('refuses an RS256 token without a tenant claim', async () => {
      expectUnauthorized(await get(signed(claims({ tenant: undefined }), rsa.privateKey, 'RS256')));
    });
  });

  describe('with an ES256 public key (JWT_PUBLIC_KEY)', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = pemOf(ec.publicKey);
    let t: TestApp;
    const get = (token: string) => request(t.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      t = await createTestApp({ env: { JWT_SECRET: undefined, JWT_PUBLIC_KEY: publicPem } });
      expect(t.config.jwt.key).toMatchObject({ kind: 'public-key', algorithm: 'ES256' });
    });
    afterAll(() => t?.close());

    it('accepts an ES256 token signed with the matching private key', async () => {
      expect((await get(signed(claims(), ec.privateKey, 'ES256'))).status).toBe(200);
    });

    it('refuses an HS256 token whose HMAC secret is the PEM public key text (algorithm confusion)', async () => {
      expectUnauthorized(await get(handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims(), hs256With(publicPem))));
    });

    it('refuses an ES256 token signed with another key pair', async () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expectUnauthorized(await get(signed(claims(), other.privateKey, 'ES256')));
    });

    it('refuses an RS256 token', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expectUnauthorized(await get(signed(claims(), rsa.privateKey, 'RS256')));
    });

    it('refuses an unsigned token (alg "none")', async () => {
      expectUnauthorized(await get(handMadeToken({ alg: 'none', typ: 'JWT' }, claims())));
    });
  });

  describe('with JWT_ISSUER and JWT_AUDIENCE', () => {
    const ISSUER = 'https://idp.example.com/';
    const AUDIENCE = 'audit-trail-api';
    let t: TestApp;
    const get = (payload: Record<string, unknown>) =>
      request(t.app.getHttpServer()).get(PROTECTED).set('Authorization', `Bearer ${signed(claims(payload), TEST_JWT_SECRET, 'HS256')}`);

    beforeAll(async () => {
      t = await createTestApp({ env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
    });
    afterAll(() => t?.close());

    it('accepts a token with the configured issuer and audience', async () => {
      expect((await get({ iss: ISSUER, aud: AUDIENCE })).status).toBe(200);
    });

    it('accepts a token whose audience list contains the configured audience', async () => {
      expect((await get({ iss: ISSUER, aud: ['another-api', AUDIENCE] })).status).toBe(200);
    });

    it('refuses a token from another issuer', async () => {
      const res = await get({ iss: 'https://evil.example.com/', aud: AUDIENCE });
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/issuer/);
    });

    it('refuses a token for another audience', async () => {
      const res = await get({ iss: ISSUER, aud: 'another-api' });
      expectUnauthorized(res);
      expect(res.body.detail).toMatch(/audience/);
    });

    it('refuses a token without an issuer', async () => {
      expectUnauthorized(await get({ aud: AUDIENCE }));
    });

    it('refuses a token without an audience', async () => {
      expectUnauthorized(await get({ iss: ISSUER }));
    });
  });
});

import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const anEvent = (overrides: Record<string, unknown> = {}) => ({
  occurredAt: '2026-11-26T09:15:00Z',
  actor: { id: 'alice', type: 'user' },
  action: 'invoice.update',
  resource: { type: 'invoice', id: 'INV-1' },
  channel: 'ui',
  ...overrides,
});

/** Issue 10 item 5: inputs two fuzzing runs answered with 500 or accepted although they should not be. */
describe('Bad input from the issue-10 fuzzing runs: refused with a clear problem, nothing written', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => t.close());

  const head = () => t.app.get<EventStore>(EVENT_STORE).headPosition();
  const post = (path = '/v1/audit-events') => request(t.app.getHttpServer()).post(path).set('Authorization', writer);
  const get = (pathAndQuery: string) => request(t.app.getHttpServer()).get(pathAndQuery).set('Authorization', officer);

  /** Posts bytes exactly as given (supertest re-encodes a Buffer sent as JSON, repairing bad UTF-8). */
  async function postBytes(path: string, body: Buffer): Promise<{ status: number; body: { status: number; detail: string }; type: string }> {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: writer, 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as { status: number; detail: string }, type: res.headers.get('content-type') ?? '' };
  }

  /** Sends, expects `status` problem+json, and that no event at all was appended meanwhile. */
  async function refusedWithoutWrite(send: () => request.Test, status: number): Promise<request.Response> {
    const headBefore = await head();
    const res = await send();
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await head()).toEqual(headBefore);
    return res;
  }

  describe('request bodies', () => {
    it.each(['latin1', 'ascii', 'ISO-8859-1', 'utf-16'])('Content-Type application/json; charset=%s: 415 naming utf-8', async (charset) => {
      const res = await refusedWithoutWrite(() => post().set('Content-Type', `application/json; charset=${charset}`).send(JSON.stringify(anEvent())), 415);
      expect(res.body.detail).toMatch(/utf-8/i);
    });

    it('charset=UTF-8 (any case) is accepted', async () => {
      await post().set('Content-Type', 'application/json; charset=UTF-8').send(JSON.stringify(anEvent())).expect(201);
    });

    it('an unknown Content-Encoding: 415 naming the encoding', async () => {
      const res = await refusedWithoutWrite(() => post().set('Content-Type', 'application/json').set('Content-Encoding', 'br2').send(JSON.stringify(anEvent())), 415);
      expect(res.body.detail).toContain('br2');
    });

    it('invalid UTF-8 bytes in a string: 400, never stored with U+FFFD replacements', async () => {
      const [before, after] = JSON.stringify(anEvent()).split('alice');
      const body = Buffer.concat([Buffer.from(`${before}al`), Buffer.from([0xff, 0xfe]), Buffer.from(`ice${after}`)]);
      const headBefore = await head();
      const res = await postBytes('/v1/audit-events', body);
      expect({ status: res.status, bodyStatus: res.body.status, type: res.type }).toEqual({ status: 400, bodyStatus: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(res.body.detail).toMatch(/UTF-8/);
      expect(await head()).toEqual(headBefore);
    });

    it('an overlong UTF-8 encoding (0xC0 0xAF for "/") in a batch: 400', async () => {
      const [before, after] = JSON.stringify({ events: [anEvent()] }).split('INV-1');
      const body = Buffer.concat([Buffer.from(`${before}INV`), Buffer.from([0xc0, 0xaf]), Buffer.from(`1${after}`)]);
      const headBefore = await head();
      expect((await postBytes('/v1/audit-events/batch', body)).status).toBe(400);
      expect(await head()).toEqual(headBefore);
    });

    it('application/x-www-form-urlencoded is not parsed as an event: 415', async () => {
      await refusedWithoutWrite(
        () => post().set('Content-Type', 'application/x-www-form-urlencoded').send('occurredAt=2026-11-26T09:15:00Z&actor[id]=alice&actor[type]=user&action=x&resource[type]=a&resource[id]=b&channel=ui'),
        415,
      );
    });

    it.each(['text/plain', 'application/xml'])('a JSON body sent as %s: 415', async (type) => {
      await refusedWithoutWrite(() => post().set('Content-Type', type).send(JSON.stringify(anEvent())), 415);
    });

    it('a body without any Content-Type: 415', async () => {
      await refusedWithoutWrite(() => post().unset('Content-Type').send(Buffer.from(JSON.stringify(anEvent()))), 415);
    });

    it.each(['/v1/roles', '/v1/cross-tenant-grants', '/v1/monitoring-rules'])('a body nested 5,000 levels deep to %s: 422 (was 500: stack exhaustion in the DTO transform)', async (path) => {
      const body = `{"name":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      const res = await refusedWithoutWrite(() => request(t.app.getHttpServer()).post(path).set('Authorization', bearer({ roles: ['super_admin'] })).set('Content-Type', 'application/json').send(body), 422);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: expect.stringMatching(/^name(\.a)+$/) })]);
    });

    it('the event routes keep naming the first object past their 32 levels for a 5,000-deep body', async () => {
      const body = JSON.stringify(anEvent({ metadata: 'DEEP' })).replace('"DEEP"', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
      const res = await refusedWithoutWrite(() => post().set('Content-Type', 'application/json').send(body), 422);
      expect(res.body.errors[0].path).toBe(`metadata${'.a'.repeat(31)}`);
    });

    it('Content-Encoding: gzip on a body that is not gzip: 400 (was 500)', async () => {
      await refusedWithoutWrite(() => post().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify(anEvent())), 400);
    });

    it('a number that overflows to Infinity (1e400): 422 with its path', async () => {
      const body = JSON.stringify(anEvent({ metadata: { amount: 7 } })).replace('"amount":7', '"amount":1e400');
      const res = await refusedWithoutWrite(() => post().set('Content-Type', 'application/json').send(body), 422);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'metadata.amount' })]);
    });

    it.each([
      ['actor.id', { actor: { id: '   ', type: 'user' } }],
      ['actor.id', { actor: { id: 'ali\u0000ce', type: 'user' } }],
      ['resource.type', { resource: { type: 'a\u0000b', id: 'x' } }],
      ['resource.id', { resource: { type: 'invoice', id: '\t' } }],
      ['action', { action: ' ' }],
    ])('a whitespace-only or control-character %s: 422 naming it', async (path, overrides) => {
      const res = await refusedWithoutWrite(() => post().send(anEvent(overrides)), 422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    });
  });

  describe('query parameters (400 problem+json with the parameter path, like every other query error)', () => {
    it.each([
      ['/v1/audit-events?limit=0x10', 'limit'],
      ['/v1/audit-events?limit=%205', 'limit'],
      ['/v1/audit-events?limit=1e1', 'limit'],
      ['/v1/audit-events?limit=5.0', 'limit'],
      ['/v1/audit-events?from=0', 'from'],
      ['/v1/audit-events?to=1', 'to'],
      ['/v1/audit-events?from=2026-02-30', 'from'],
      ['/v1/audit-events?from=2026-11-01T00:00:00', 'from'],
      ['/v1/audit-events/export?from=0', 'from'],
      ['/v1/audit-events?resourceType=%00', 'resourceType'],
      ['/v1/audit-events?actorId=%20%20', 'actorId'],
      ['/v1/audit-events?resourceId=a%0Ab', 'resourceId'],
      ['/v1/audit-events?action=%09', 'action'],
      ['/v1/integrity/verify?fromSequence=0x10', 'fromSequence'],
      ['/v1/integrity/verify?toSequence=%205', 'toSequence'],
      ['/v1/audit-events/stream?lastEventId=0x10', 'lastEventId'],
    ])('%s: 400 naming %s', async (pathAndQuery, param) => {
      const res = await refusedWithoutWrite(() => get(pathAndQuery), 400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(param);
    });

    it('minSequence=1e20 (not a safe integer) is refused at once with 400, without waiting for the read model', async () => {
      const started = Date.now();
      const res = await refusedWithoutWrite(() => get('/v1/audit-events?minSequence=1e20'), 400);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(new Set(res.body.errors.map((e: { path: string }) => e.path))).toEqual(new Set(['minSequence']));
      expect(res.body.detail).toContain('decimal digits');
    });

    it('minSequence=100000000000000000000 (decimal digits beyond 2^53) is refused at once with 400', async () => {
      const res = await refusedWithoutWrite(() => get('/v1/audit-events?minSequence=100000000000000000000'), 400);
      expect(new Set(res.body.errors.map((e: { path: string }) => e.path))).toEqual(new Set(['minSequence']));
      expect(res.body.detail).toContain('decimal digits');
    });

    it('a date-only from (what users type) is midnight UTC of that day, on list and on export', async () => {
      await post().send(anEvent({ occurredAt: '2026-10-31T23:59:59.999Z', resource: { type: 'probe', id: 'late-october' } })).expect(201);
      const { body: written } = await post().send(anEvent({ occurredAt: '2026-11-01T00:00:00.000Z', resource: { type: 'probe', id: 'first-of-november' } })).expect(201);
      const list = await get(`/v1/audit-events?from=2026-11-01&resourceType=probe&minSequence=${written.sequence}`).expect(200);
      expect(list.body.items.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['first-of-november']);
      const exported = await get(`/v1/audit-events/export?from=2026-11-01&to=2026-11-02&resourceType=probe`).buffer(true).parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });
      expect(exported.status).toBe(200);
      expect((exported.body as string).trim().split('\n').map((line) => JSON.parse(line).resource.id)).toEqual(['first-of-november']);
    });

    it('decimal digits are still accepted: limit=2 answers at most 2 items', async () => {
      const res = await get('/v1/audit-events?limit=2').expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
    });
  });
});

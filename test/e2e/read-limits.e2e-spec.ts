import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { AuditLogReader } from '../../src/audit-log/query/audit-log-reader';
import { CooperativeScheduler } from '../../src/read-limits/cooperative-scheduler';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const auditor = bearer({ roles: ['auditor'], sub: 'ada' });
const otherTenantAuditor = bearer({ tenant: 'globex', roles: ['auditor'], sub: 'gus' });

/** Holds the first `count` calls of a reader method until released; later calls run as usual. */
function holdFirstCalls<K extends 'scan' | 'list'>(reader: AuditLogReader, method: K, count: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const original = reader[method].bind(reader) as (...args: unknown[]) => unknown;
  let held = 0;
  const spy = jest.spyOn(reader, method as never).mockImplementation(((...args: unknown[]) => {
    if (held >= count) return original(...args);
    held++;
    if (method === 'list') return released.then(() => original(...args));
    return (async function* () {
      await released;
      yield* original(...args) as AsyncGenerator<unknown>;
    })();
  }) as never);
  return { spy, release, heldCount: () => held };
}

/** Turns the event loop until `predicate` holds (the held requests reached the reader). */
async function untilHeld(predicate: () => boolean): Promise<void> {
  for (let turns = 0; !predicate(); turns++) {
    if (turns > 200_000) throw new Error('the held requests never reached the reader');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const expectTooManyRequests = (res: request.Response, retryAfter: string) => {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toBe(retryAfter);
  expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests', type: 'https://problems.audit-trail.dev/too-many-concurrent-reads' });
};

describe('Per-tenant limits on long reads (429 with Retry-After)', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('the third concurrent export or verify of a tenant (limit 2) gets 429 with Retry-After; another tenant is unaffected; a freed slot admits again', async () => {
    t = await createTestApp({ env: { READ_CONCURRENCY_PER_TENANT: '2' } });
    const api = auditApi(t.app);
    await api.record(writer, [auditEvent(), auditEvent()]);
    const held = holdFirstCalls(t.app.get(AuditLogReader), 'scan', 2);

    const first = request(t.app.getHttpServer()).get('/v1/audit-events/export').set('Authorization', auditor).then((r) => r);
    const second = request(t.app.getHttpServer()).get('/v1/audit-events/export').set('Authorization', auditor).then((r) => r);
    await untilHeld(() => held.heldCount() === 2);

    expectTooManyRequests(await api.http().get('/v1/audit-events/export').set('Authorization', auditor), '5');
    expectTooManyRequests(await api.http().get('/v1/integrity/verify').set('Authorization', auditor), '5');
    const otherTenant = await api.http().get('/v1/audit-events/export').set('Authorization', otherTenantAuditor);
    expect(otherTenant.status).toBe(200);

    held.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await api.http().get('/v1/integrity/verify').set('Authorization', auditor)).status).toBe(200);
  });

  it('a list request beyond LIST_CONCURRENCY_PER_TENANT gets 429 with Retry-After 1 and records nothing', async () => {
    t = await createTestApp({ env: { LIST_CONCURRENCY_PER_TENANT: '1' } });
    const api = auditApi(t.app);
    const held = holdFirstCalls(t.app.get(AuditLogReader), 'list', 1);
    const first = request(t.app.getHttpServer()).get('/v1/audit-events').set('Authorization', auditor).then((r) => r);
    await untilHeld(() => held.heldCount() === 1);

    const refused = await api.http().get('/v1/audit-events?action=x').set('Authorization', auditor);
    expectTooManyRequests(refused, '1');
    expect((await api.http().get('/v1/audit-events').set('Authorization', otherTenantAuditor)).status).toBe(200);

    held.release();
    expect((await first).status).toBe(200);
    // Only the admitted search was recorded in acme, not the refused one (read once the read model has
    // applied everything the stream holds: on a Mongo read store that takes a moment).
    const [last] = await t.app.get<EventStore>(EVENT_STORE).readStream('audit-acme', { direction: 'backwards', maxCount: 1 });
    const searches = (await api.list(auditor, 'action=audit_log.search', last.revision)).filter((e) => e.actor.id === 'ada');
    expect(searches).toHaveLength(1);
  });

  it('a live tail beyond STREAM_CONCURRENCY_PER_TENANT gets 429; closing one frees its slot', async () => {
    t = await createTestApp({ env: { STREAM_CONCURRENCY_PER_TENANT: '1' } });
    await t.app.listen(0, '127.0.0.1');
    const baseUrl = baseUrlOf(t.app.getHttpServer());
    const open = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: auditor });
    expect(open.status).toBe(200);

    const refused = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: auditor });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    const otherTenant = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: otherTenantAuditor });
    expect(otherTenant.status).toBe(200);
    otherTenant.close();

    open.close();
    // The closed tail notices its client is gone when it next wakes: a recorded event wakes it.
    let again = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: auditor });
    for (let attempt = 0; again.status === 429 && attempt < 20; attempt++) {
      await auditApi(t.app).record(writer, [auditEvent()]);
      again = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: auditor });
    }
    expect(again.status).toBe(200);
    again.close();
  });
});

describe('Long reads rest between turns while requests arrive (ADR 012)', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('requests other than long reads tell the long-read scheduler that the service is busy; long reads do not', async () => {
    t = await createTestApp();
    const noted = jest.spyOn(t.app.get(CooperativeScheduler), 'noteRequest');
    const api = auditApi(t.app);
    await api.record(writer, [auditEvent()]);
    expect(noted).toHaveBeenCalledTimes(1);
    expect((await request(t.app.getHttpServer()).get('/health')).status).toBe(200);
    expect(noted).toHaveBeenCalledTimes(2);
    expect((await api.http().get('/v1/audit-events').set('Authorization', auditor)).status).toBe(200);
    expect((await api.http().get('/v1/audit-events/export').set('Authorization', auditor)).status).toBe(200);
    expect((await api.http().get('/v1/integrity/verify').set('Authorization', auditor)).status).toBe(200);
    expect(noted).toHaveBeenCalledTimes(2);
  });
});

describe('List scans are bounded per request (LIST_SCAN_MAX_ROWS)', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('a filter matching nothing among more rows than the bound answers an empty page with a nextCursor; following it reaches the old match, then null', async () => {
    t = await createTestApp({ env: { LIST_SCAN_MAX_ROWS: '100' } });
    const api = auditApi(t.app);
    const needle = auditEvent({ occurredAt: '2020-01-01T00:00:00.000Z', resource: { type: 'needle', id: 'n-1' } });
    const hay = Array.from({ length: 250 }, (_, i) => auditEvent({ occurredAt: `2026-11-20T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z` }));
    const receipts = await api.record(writer, [needle, ...hay]);
    await api.list(auditor, 'limit=1', receipts[receipts.length - 1].sequence);

    const pages: Array<{ items: Array<{ id: string }>; nextCursor: string | null }> = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await api.http().get(`/v1/audit-events?resourceType=needle&limit=10${cursor ? `&cursor=${cursor}` : ''}`).set('Authorization', auditor);
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 10);

    expect(pages[0]).toEqual({ items: [], nextCursor: expect.any(String) });
    expect(pages.flatMap((p) => p.items.map((e) => e.id))).toEqual([needle.id]);
    expect(pages[pages.length - 1].nextCursor).toBeNull();
    // 251 events + the reads' own records, 100 index entries per request at most.
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('a filter that matches fills whole pages as before', async () => {
    t = await createTestApp({ env: { LIST_SCAN_MAX_ROWS: '100' } });
    const api = auditApi(t.app);
    const receipts = await api.record(writer, Array.from({ length: 150 }, () => auditEvent()));
    await api.list(auditor, 'limit=1', receipts[receipts.length - 1].sequence);
    const res = await api.http().get('/v1/audit-events?action=invoice.update&limit=60').set('Authorization', auditor);
    expect(res.body.items).toHaveLength(60);
    expect(res.body.nextCursor).toEqual(expect.any(String));
  });
});

describe('Windowed long reads return the same events', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('an export spanning many windows (250 events) returns every event exactly once, newest first; a sparse filter returns just its matches', async () => {
    t = await createTestApp();
    const api = auditApi(t.app);
    const events = Array.from({ length: 250 }, (_, i) =>
      auditEvent({ occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), resource: { type: i % 100 === 7 ? 'rare' : 'invoice', id: `r-${i}` } }),
    );
    const receipts = await api.record(writer, events);
    await api.list(auditor, 'limit=1', receipts[receipts.length - 1].sequence);

    const all = await api.http().get('/v1/audit-events/export?action=invoice.update').set('Authorization', auditor).buffer(true).parse(textBody());
    const exported = (all.body as string).trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    const expected = [...events].reverse().map((e) => e.id);
    expect(exported.map((e) => e.id)).toEqual(expected);

    // resourceType alone walks the time index: windows of the whole log, most of them without a match.
    const rare = await api.http().get('/v1/audit-events/export?resourceType=rare').set('Authorization', auditor).buffer(true).parse(textBody());
    expect((rare.body as string).trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([events[207].id, events[107].id, events[7].id]);
  });

  it('a live tail resumed from the start with a filter matching 2 of 1,200 events delivers exactly those 2', async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const api = auditApi(t.app);
    const events = Array.from({ length: 1200 }, (_, i) => auditEvent({ action: i === 10 || i === 1150 ? 'rare.action' : 'invoice.update' }));
    await api.record(writer, events.slice(0, 600));
    const receipts = await api.record(writer, events.slice(600));
    await api.list(auditor, 'limit=1', receipts[receipts.length - 1].sequence);

    const sse = await openSse(baseUrlOf(t.app.getHttpServer()), '/v1/audit-events/stream?action=rare.action&lastEventId=-1', { Authorization: auditor });
    const messages = await sse.waitFor((m) => m.length >= 2);
    expect(messages.map((m) => (JSON.parse(m.data) as { id: string }).id)).toEqual([events[10].id, events[1150].id]);
    sse.close();
  });
});

import { Module } from '@nestjs/common';
import request from 'supertest';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ReadModelProjection } from '../../src/projections/read-model-projection.decorator';
import { READ_STORE, ReadStore } from '../../src/read-store/read-store.port';
import { newEvents } from '../support/new-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { StreamStatsProjection } from '../support/test-projection';

@ReadModelProjection()
class HealthTestProjection extends StreamStatsProjection {
  constructor() {
    super('health-');
  }
}

@Module({ providers: [HealthTestProjection] })
class HealthTestProjectionModule {}

interface HealthBody {
  status: string;
  problems?: unknown[];
  projections: Array<{ name: string; checkpoint: string | null; eventsBehind: number; state: string }>;
}

describe('GET /health', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp({ imports: [HealthTestProjectionModule] });
  });
  afterEach(() => t.close());

  it('answers 200 with both embedded stores ok and each projection caught up, without a token', async () => {
    const events = t.app.get<EventStore>(EVENT_STORE);
    const appended = await events.append('health-1', newEvents(5), 'no_stream');
    for (let i = 0; i < 50; i++) {
      const body = (await request(t.app.getHttpServer()).get('/health')).body;
      if (body.projections.find((p: { name: string }) => p.name === 'stream_stats')?.checkpoint === appended.position) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({
      status: 'ok',
      checks: { eventStore: { status: 'ok', kind: 'sqlite' }, readStore: { status: 'ok', kind: t.config.readStore.kind } },
      headPosition: appended.position,
      projections: expect.arrayContaining([
        { name: 'stream_stats', version: 1, state: 'live', checkpoint: appended.position, eventsBehind: 0, lagMs: 0, lastError: null, parkedCount: 0, parked: [] },
        expect.objectContaining({ name: 'audit_log', state: 'live', lastError: null }),
      ]),
    });
  });

  async function healthWhen(predicate: (body: HealthBody) => boolean): Promise<HealthBody> {
    let body: HealthBody = (await request(t.app.getHttpServer()).get('/health')).body;
    for (let i = 0; i < 200 && !predicate(body); i++) {
      await new Promise((r) => setTimeout(r, 25));
      body = (await request(t.app.getHttpServer()).get('/health')).body;
    }
    return body;
  }

  it('reports 0 events behind for a caught-up projection of a few streams while other streams grow (issue 13 item 2)', async () => {
    const events = t.app.get<EventStore>(EVENT_STORE);
    const own = await events.append('health-1', newEvents(2), 'no_stream');
    await events.append('elsewhere-1', newEvents(7), 'no_stream');
    const body = await healthWhen((b) => b.projections.find((p) => p.name === 'stream_stats')?.checkpoint === own.position);

    const byName = Object.fromEntries(body.projections.map((p) => [p.name, p]));
    expect(byName.stream_stats).toMatchObject({ checkpoint: own.position, eventsBehind: 0 });
    // Nothing was ever appended to the streams these projections read.
    expect(byName.tenant_roles).toMatchObject({ checkpoint: null, eventsBehind: 0 });
    expect(byName.cross_tenant_grants).toMatchObject({ checkpoint: null, eventsBehind: 0 });
  });

  it('answers 200 "degraded", naming the projection and its error, while a projection cannot commit', async () => {
    const readStore = t.app.get<ReadStore>(READ_STORE);
    jest.spyOn(readStore, 'commit').mockRejectedValue(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    await t.app.get<EventStore>(EVENT_STORE).append('health-1', newEvents(1), 'no_stream');

    const body = await healthWhen((b) => b.status !== 'ok');
    expect(body).toMatchObject({
      status: 'degraded',
      problems: [{ projection: 'stream_stats', state: 'failing', lastError: 'database is locked', parkedCount: 0 }],
    });
  });

  it('answers 503 and names the store when a store is down', async () => {
    const readStore = t.app.get<ReadStore>(READ_STORE);
    jest.spyOn(readStore, 'ping').mockRejectedValue(new Error('disk I/O error'));
    const res = await request(t.app.getHttpServer()).get('/health').expect(503);
    expect(res.body).toMatchObject({ status: 'down', checks: { eventStore: { status: 'ok' }, readStore: { status: 'down', error: 'disk I/O error' } } });
  });
});

describe('HTTP surface', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers unknown routes with problem+json and the request id', async () => {
    const res = await request(t.app.getHttpServer()).get('/v1/nothing-here').set('X-Request-Id', 'req-abc').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-abc');
    expect(JSON.parse(res.text)).toEqual({
      type: 'https://problems.audit-trail.dev/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /v1/nothing-here',
      instance: '/v1/nothing-here',
      requestId: 'req-abc',
    });
  });

  it('replaces a malformed request id with a generated one', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').set('X-Request-Id', 'bad id with spaces and <script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/health');
  });
});

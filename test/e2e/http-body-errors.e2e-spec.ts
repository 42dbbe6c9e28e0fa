import request from 'supertest';
import { MAX_BATCH_BYTES } from '../../src/audit-log/audit-event';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });

describe('Request bodies the JSON parser refuses (malformed, over the limit)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (body: string, requestId?: string) => {
    const req = request(t.app.getHttpServer()).post('/v1/audit-events/batch').set('Authorization', writer).set('Content-Type', 'application/json');
    if (requestId) req.set('X-Request-Id', requestId);
    return req.send(body);
  };

  it('malformed JSON: 400 problem+json that echoes the caller X-Request-Id in the header and as requestId', async () => {
    const res = await post('{"events": [', 'req-malformed-1');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-malformed-1');
    expect(res.body).toMatchObject({ status: 400, requestId: 'req-malformed-1' });
  });

  it('malformed JSON without X-Request-Id: the generated id is in the header and the body, and they agree', async () => {
    const res = await post('not json');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('a body over the limit: 413 problem+json with the X-Request-Id header and requestId', async () => {
    const res = await post(JSON.stringify({ events: [{ pad: 'x'.repeat(MAX_BATCH_BYTES) }] }), 'req-too-large-1');
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('req-too-large-1');
    expect(res.body).toMatchObject({ status: 413, requestId: 'req-too-large-1' });
  });
});

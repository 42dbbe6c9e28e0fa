import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

describe('Date filters in a query string (from, to)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const list = (query: string) => request(t.app.getHttpServer()).get(`/v1/audit-events?${query}`).set('Authorization', officer);

  it.each(['from', 'to'])('%s with an unencoded "+01:00" (the + arrives as a space): 400 naming the parameter and hinting at %%2B URL-encoding', async (name) => {
    const res = await list(`${name}=2026-11-01T00:00:00+01:00`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const error = (res.body.errors as Array<{ path: string; message: string }>).find((e) => e.path === name);
    expect(error?.message).toMatch(/URL-encode/);
    expect(error?.message).toContain('%2B');
    expect(res.body.detail).toContain('%2B');
  });

  it('the same date URL-encoded (%2B01:00) is accepted', async () => {
    await list('from=2026-11-01T00:00:00%2B01:00').expect(200);
  });

  it('a date that is wrong for another reason gets the plain message, without the encoding hint', async () => {
    const res = await list('from=yesterday');
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('from');
    expect(res.body.detail).not.toContain('%2B');
  });
});

import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse, SseConnection } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

/**
 * minSequence on the export and the live tail, as on list and detail: the answer waits (≤ 5 s) until
 * the audit read model has applied that sequence of the caller's tenant.
 */
describe('read-your-writes (minSequence) on export and live tail', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  let baseUrl: string;
  const open: SseConnection[] = [];
  beforeEach(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
    api = auditApi(t.app);
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await t.close();
  });

  it('an export issued before the write it names waits for it and includes it', async () => {
    const head = await api.head(officer);
    const event = auditEvent({ action: 'invoice.rywexport' });
    // head+1 is verify's own record; head+2 can only be the write (the export's own record follows its wait).
    const pending = api
      .http()
      .get(`/v1/audit-events/export?action=invoice.rywexport&minSequence=${head + 2}`)
      .set('Authorization', officer)
      .buffer(true)
      .parse(textBody())
      .then((r) => r);
    const [receipt] = await api.record(writer, [event]);
    expect(receipt.sequence).toBe(head + 2);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(Number(res.headers['x-audit-head-sequence'])).toBeGreaterThanOrEqual(head + 2);
    const ids = (res.body as string).trim().split('\n').map((l) => (JSON.parse(l) as StoredAuditEvent).id);
    expect(ids).toEqual([event.id]);
  });

  it('a live tail with minSequence starts only once that sequence is applied, after a head at or beyond it', async () => {
    const head = await api.head(officer);
    const connecting = openSse(baseUrl, `/v1/audit-events/stream?minSequence=${head + 2}`, { Authorization: officer });
    const [receipt] = await api.record(writer, [auditEvent({ action: 'invoice.rywtail' })]);
    const sse = await connecting;
    open.push(sse);
    expect(sse.status).toBe(200);
    const [, after] = await sse.waitForComment(/^streaming audit events after sequence (-?\d+)$/);
    expect(Number(after)).toBeGreaterThanOrEqual(receipt.sequence);
  });

  it('a live tail with minSequence and Last-Event-ID delivers the events after Last-Event-ID up to that sequence', async () => {
    const head = await api.head(officer);
    const connecting = openSse(baseUrl, `/v1/audit-events/stream?action=invoice.rywresume&minSequence=${head + 2}`, { Authorization: officer, 'Last-Event-ID': String(head) });
    const event = auditEvent({ action: 'invoice.rywresume' });
    await api.record(writer, [event]);
    const sse = await connecting;
    open.push(sse);
    const messages = await sse.waitFor((m) => m.length >= 1);
    expect((JSON.parse(messages[0].data) as StoredAuditEvent).id).toBe(event.id);
  });

  it.each([
    ['export', '/v1/audit-events/export'],
    ['live tail', '/v1/audit-events/stream'],
  ])('%s: 503 problem+json (no stream started) after waiting about 5 s for a sequence beyond the head', async (_name, path) => {
    const head = await api.head(officer);
    const started = Date.now();
    const res = await api.http().get(`${path}?minSequence=${head + 1000}`).set('Authorization', officer);
    const waited = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, detail: expect.stringContaining(String(head + 1000)) });
    expect(waited).toBeGreaterThanOrEqual(4900);
    expect(waited).toBeLessThan(8000);
  }, 15_000);
});

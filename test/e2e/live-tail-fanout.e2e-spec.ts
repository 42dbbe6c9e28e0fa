import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse, SseConnection } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = (sub: string) => bearer({ roles: ['compliance_officer'], sub });

const eventsOf = (connection: SseConnection) => connection.messages.filter((m) => m.event === 'audit-event').map((m) => JSON.parse(m.data) as StoredAuditEvent);

/** Live tails share one reader per tenant (ADR 021): filters in memory, per-user limits, heartbeats, idle ends. */
describe('live tails through the shared fan-out', () => {
  let t: TestApp;
  let baseUrl: string;
  let api: ReturnType<typeof auditApi>;
  const open: SseConnection[] = [];
  const tail = async (sub: string, query = '', headers: Record<string, string> = {}) => {
    const connection = await openSse(baseUrl, `/v1/audit-events/stream${query}`, { Authorization: officer(sub), ...headers });
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { STREAM_CONCURRENCY_PER_USER: '3', STREAM_CONCURRENCY_PER_TENANT: '50', STREAM_HEARTBEAT_MS: '1000', STREAM_IDLE_TIMEOUT_MS: '60000' } });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
    api = auditApi(t.app);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(async () => t.close());

  it('tails with different filters each get exactly their matching events, in sequence order; one that resumes from Last-Event-ID gets the gap, then live, without repeats', async () => {
    const all = await tail('f-all', '?excludeSelfAudit=true');
    const invoices = await tail('f-inv', '?resourceType=invoice&excludeSelfAudit=true');
    const denied = await tail('f-den', '?outcome=denied&excludeSelfAudit=true');
    const first = await api.record(writer, [
      auditEvent({ action: 'invoice.update', resource: { type: 'invoice', id: 'I-1' } }),
      auditEvent({ action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' } }),
      auditEvent({ action: 'ledger.read', resource: { type: 'ledger', id: 'L-1' } }),
    ]);
    const resumed = await tail('f-res', '?excludeSelfAudit=true', { 'Last-Event-ID': String(first[0].sequence) });
    const second = await api.record(writer, [
      auditEvent({ action: 'invoice.delete', outcome: 'denied', resource: { type: 'invoice', id: 'I-2' } }),
      auditEvent({ action: 'ledger.read', resource: { type: 'ledger', id: 'L-2' } }),
    ]);
    const ids = [...first, ...second].map((r) => r.id);
    await all.waitFor(() => eventsOf(all).length >= 5);
    await resumed.waitFor(() => eventsOf(resumed).length >= 4);
    await invoices.waitFor(() => eventsOf(invoices).length >= 2);
    await denied.waitFor(() => eventsOf(denied).length >= 2);
    expect(eventsOf(all).map((e) => e.id)).toEqual(ids);
    expect(eventsOf(resumed).map((e) => e.id)).toEqual(ids.slice(1));
    expect(eventsOf(invoices).map((e) => e.id)).toEqual([ids[0], ids[3]]);
    expect(eventsOf(denied).map((e) => e.id)).toEqual([ids[1], ids[3]]);
    for (const connection of [all, resumed]) {
      const sequences = eventsOf(connection).map((e) => e.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    }
  });

  it("a user's tails beyond STREAM_CONCURRENCY_PER_USER get 429 problem+json with Retry-After; another user still gets in; closing one frees a slot", async () => {
    const mine = [await tail('limited'), await tail('limited'), await tail('limited')];
    expect(mine.map((c) => c.status)).toEqual([200, 200, 200]);
    const refused = await tail('limited');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(refused.messages[0].data)).toMatchObject({ status: 429, detail: expect.stringMatching(/You already hold 3 concurrent live tails/) });
    expect((await tail('someone-else')).status).toBe(200);
    mine[0].close();
    let again = await tail('limited');
    for (let attempt = 0; again.status === 429 && attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await tail('limited');
    }
    expect(again.status).toBe(200);
  });

  it('sends a heartbeat comment every STREAM_HEARTBEAT_MS on a quiet tail', async () => {
    const quiet = await tail('hb', '?actorId=nobody-writes-this');
    await quiet.waitForComment(/^ ?keep-alive$/, 10_000);
  });
});

describe('idle live tails are ended', () => {
  it('a tail that delivered nothing for STREAM_IDLE_TIMEOUT_MS ends with a comment naming where to resume', async () => {
    const t = await createTestApp({ env: { STREAM_HEARTBEAT_MS: '1000', STREAM_IDLE_TIMEOUT_MS: '1500' } });
    try {
      await t.app.listen(0, '127.0.0.1');
      const connection = await openSse(baseUrlOf(t.app.getHttpServer()), '/v1/audit-events/stream?actorId=nobody', { Authorization: officer('idle') });
      const [comment] = await connection.waitForComment(/idle for \d+ s; reconnect with Last-Event-ID -?\d+/, 15_000);
      expect(comment).toMatch(/Last-Event-ID/);
      connection.close();
    } finally {
      await t.close();
    }
  });
});

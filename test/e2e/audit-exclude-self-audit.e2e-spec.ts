import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse, SseConnection, SseMessage } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
const SELF = 'compliance-audit-trail';

const isSelfAudit = (e: StoredAuditEvent) => e.context?.sourceService === SELF;

/** excludeSelfAudit=true leaves out the records the service writes about itself (context.sourceService). */
describe('excludeSelfAudit on list, export and live tail', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  let baseUrl: string;
  const open: SseConnection[] = [];
  // The client's own events: without context, with another sourceService, with a context but no sourceService.
  const clientEvents = [
    auditEvent({ action: 'invoice.create' }),
    auditEvent({ action: 'invoice.update', context: { sourceService: 'billing' } }),
    auditEvent({ action: 'invoice.delete', context: { requestId: 'r-1' } }),
  ];
  const clientIds = clientEvents.map((e) => e.id as string).sort();
  let last: number;

  beforeEach(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
    api = auditApi(t.app);
    const receipts = await api.record(writer, clientEvents);
    last = receipts[receipts.length - 1].sequence;
    // Two searches: each records an audit_log.search in the tenant (the service's own record).
    await api.list(officer, 'limit=1', last);
    await api.list(officer, 'limit=1', last);
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await t.close();
  });

  it('list: without the filter the service records are there; with excludeSelfAudit=true only the client events remain', async () => {
    const head = await api.head(officer); // verify's own record lands at head+1
    const all = await api.list(officer, 'limit=500', head + 1);
    expect(all.filter(isSelfAudit).length).toBeGreaterThanOrEqual(3);
    const excluded = await api.list(officer, 'limit=500&excludeSelfAudit=true', head + 1);
    expect(excluded.map((e) => e.id).sort()).toEqual(clientIds);
    const explicitFalse = await api.list(officer, 'limit=500&excludeSelfAudit=false', head + 1);
    expect(explicitFalse.filter(isSelfAudit).length).toBeGreaterThanOrEqual(3);
  });

  it('export: excludeSelfAudit=true streams only the client events', async () => {
    const res = await api.http().get(`/v1/audit-events/export?excludeSelfAudit=true&minSequence=${last}`).set('Authorization', officer).buffer(true).parse(textBody()).expect(200);
    const events = (res.body as string).trim().split('\n').map((l) => JSON.parse(l) as StoredAuditEvent);
    expect(events.map((e) => e.id).sort()).toEqual(clientIds);
  });

  it("live tail: excludeSelfAudit=true delivers a client event but not the service's records written before it", async () => {
    const sse = await openSse(baseUrl, '/v1/audit-events/stream?excludeSelfAudit=true', { Authorization: officer });
    open.push(sse);
    expect(sse.status).toBe(200);
    await sse.waitForComment(/^streaming audit events after sequence/);
    await api.list(officer, 'limit=1'); // a self-audit record before the client event
    const event = auditEvent({ action: 'invoice.approve' });
    await api.record(writer, [event]);
    const messages = await sse.waitFor((m: SseMessage[]) => m.some((x) => (JSON.parse(x.data) as StoredAuditEvent).id === event.id));
    expect(messages.map((m) => (JSON.parse(m.data) as StoredAuditEvent).id)).toEqual([event.id]);
  });

  it.each(['yes', '1', 'TRUE', ''])('refuses excludeSelfAudit=%j with 400 problem+json naming the parameter', async (value) => {
    const res = await api.http().get(`/v1/audit-events?excludeSelfAudit=${value}`).set('Authorization', officer);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain('excludeSelfAudit');
  });
});

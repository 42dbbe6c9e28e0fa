import Database from 'better-sqlite3';
import * as path from 'node:path';
import { auditApi } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { caught } from '../support/caught';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

describe('Self-auditing of reads (who watched the watchers)', () => {
  // The watcher: an admin in a browser session.
  const watcher = bearer({ roles: ['compliance_officer'], sub: 'wanda', sid: 'sess-42', actorType: 'admin' });
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  beforeEach(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
  });
  afterEach(() => t.close());

  /**
   * The records of `action` by wanda, newest first, once everything recorded so far is applied (the
   * head() verify answers before its own record is written, so that record is not waited for).
   */
  const recordsOf = async (action: string) => api.list(officer, `action=${action}&actorId=wanda`, await api.head(officer));

  it('records a search as audit_log.search with the caller, session, channel, tenant and request id', async () => {
    const res = await api.http().get('/v1/audit-events?actorId=bob&limit=7').set('Authorization', watcher).set('X-Audit-Channel', 'ui').set('X-Request-Id', 'req-ui-0001').expect(200);
    expect(res.headers['x-request-id']).toBe('req-ui-0001');
    const records = await recordsOf('audit_log.search');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      tenantId: 'acme',
      action: 'audit_log.search',
      outcome: 'success',
      actor: { id: 'wanda', type: 'admin', role: 'compliance_officer', sessionId: 'sess-42', ip: expect.any(String) },
      channel: 'ui',
      resource: { type: 'audit_log', id: 'acme' },
      context: { requestId: 'req-ui-0001', sourceService: 'compliance-audit-trail' },
      metadata: { method: 'GET', route: '/v1/audit-events', query: { actorId: 'bob', limit: '7' } },
    });
  });

  it('records a search once it has its answer, before sending it: the record is in the log when the response arrives', async () => {
    const head = await api.head(officer); // that verify's own record lands at head+1
    // head+1 is already written, so the search reads everything recorded before it.
    const res = await api
      .http()
      .get(`/v1/audit-events?action=audit_log.search&actorId=wanda&minSequence=${head + 1}`)
      .set('Authorization', watcher)
      .set('X-Request-Id', 'req-self-0001')
      .expect(200);
    // The search cannot find its own record: it is written after the answer was produced.
    expect(res.body.items).toEqual([]);
    // But it was written before the answer was sent: the very next verify's head is that record (head+2).
    const verify = await api.http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    expect(verify.body.headSequence).toBe(head + 2);
    const [record, ...others] = await api.list(officer, 'action=audit_log.search&actorId=wanda', verify.body.headSequence);
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      sequence: head + 2,
      hash: verify.body.headHash,
      outcome: 'success',
      actor: { id: 'wanda' },
      channel: 'api',
      context: { requestId: 'req-self-0001' },
      metadata: { query: { action: 'audit_log.search', actorId: 'wanda', minSequence: String(head + 1) } },
    });
  });

  it.each(['fax', 'system', 'UI', ''])('refuses X-Audit-Channel %p with 400 problem+json and records nothing', async (channel) => {
    const before = await api.head(officer);
    const res = await api.http().get('/v1/audit-events').set('Authorization', watcher).set('X-Audit-Channel', channel).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/x-audit-channel must be one of ui, api, workflow/i);
    expect(await api.head(officer)).toBe(before + 1); // only the first head()'s own record; the second does not cover its own
  });

  it('records a detail view as audit_event.view naming the viewed event', async () => {
    const event = auditEvent();
    const [receipt] = await api.record(writer, [event]);
    await api.http().get(`/v1/audit-events/${event.id}?minSequence=${receipt.sequence}`).set('Authorization', watcher).set('X-Audit-Channel', 'workflow').expect(200);
    const records = await recordsOf('audit_event.view');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      outcome: 'success',
      channel: 'workflow',
      resource: { type: 'audit_event', id: event.id },
      metadata: { method: 'GET', route: '/v1/audit-events/:id' },
    });
  });

  it('records a detail view of an unknown id as audit_event.view with outcome failure (404)', async () => {
    const unknown = '8d1f5c57-9a53-4a0e-8a55-2f1f3c5a7e01';
    const before = await api.head(officer); // that verify's own record lands at before+1
    await api.http().get(`/v1/audit-events/${unknown}`).set('Authorization', watcher).set('X-Request-Id', 'req-404-0001').expect(404);
    const records = await recordsOf('audit_event.view');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sequence: before + 2,
      outcome: 'failure',
      actor: { id: 'wanda', type: 'admin' },
      channel: 'api',
      resource: { type: 'audit_event', id: unknown },
      context: { requestId: 'req-404-0001' },
      metadata: { method: 'GET', route: '/v1/audit-events/:id', status: 404 },
    });
  });

  it('records an export as audit_log.export with its filters', async () => {
    await api.record(writer, [auditEvent()]);
    await api.http().get('/v1/audit-events/export?format=csv&action=invoice.update').set('Authorization', watcher).expect(200);
    const records = await recordsOf('audit_log.export');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      outcome: 'success',
      channel: 'api',
      resource: { type: 'audit_log', id: 'acme' },
      metadata: { method: 'GET', route: '/v1/audit-events/export', query: { format: 'csv', action: 'invoice.update' } },
    });
  });

  it('records verification as audit_log.verify once it has its answer: the record lands right after the head it reports', async () => {
    const [receipt] = await api.record(writer, [auditEvent()]);
    const verify = await api.http().get('/v1/integrity/verify').set('Authorization', watcher).expect(200);
    // The answer does not cover its own record: the log ends at the one event recorded above.
    expect(verify.body).toMatchObject({ valid: true, checked: 1, headSequence: receipt.sequence, headHash: receipt.hash });
    const records = await recordsOf('audit_log.verify');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sequence: verify.body.headSequence + 1,
      prevHash: verify.body.headHash,
      outcome: 'success',
      resource: { type: 'audit_log', id: 'acme' },
      metadata: { method: 'GET', route: '/v1/integrity/verify' },
    });
  });

  // Regression: malformed reads used to be recorded (outcome success) before validation refused them; ARCHITECTURE §5: "Malformed input never writes anything".
  it('writes nothing for a read refused as malformed (400)', async () => {
    const before = await api.head(officer);
    for (const url of [
      '/v1/audit-events/not-a-uuid',
      '/v1/audit-events?limit=0',
      '/v1/audit-events?foo=1',
      '/v1/audit-events?cursor=garbage',
      '/v1/audit-events/export?format=xml',
      '/v1/integrity/verify?fromSequence=-1',
      '/v1/integrity/verify?fromSequence=3&toSequence=2',
    ]) {
      await api.http().get(url).set('Authorization', watcher).expect(400);
    }
    const head = await api.head(officer);
    expect(head).toBe(before + 1); // only the first head()'s own record; the second does not cover its own
    expect(await api.list(officer, 'actorId=wanda', head)).toEqual([]);
  });
});

describe('Chain verification (GET /v1/integrity/verify)', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;
  let receipts: Awaited<ReturnType<typeof api.record>>;
  beforeEach(async () => {
    t = await createTestApp();
    api = auditApi(t.app);
    receipts = await api.record(
      writer,
      Array.from({ length: 5 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `INV-${i}` } })),
    );
  });
  afterEach(() => t.close());

  const verify = (query = '') => api.http().get(`/v1/integrity/verify${query}`).set('Authorization', officer);

  it('finds an untouched log valid, checking every event up to the head (which does not include its own record)', async () => {
    const res = await verify().expect(200);
    // 5 events (0..4); this verify request's own record (5) is written after the chain was read.
    expect(res.body).toEqual({ valid: true, checked: 5, fromSequence: 0, toSequence: 4, headSequence: 4, headHash: receipts[4].hash });
    // The next verify covers the first one's record (5), not its own (6).
    const again = await verify().expect(200);
    expect(again.body).toMatchObject({ valid: true, fromSequence: 0, toSequence: 5, headSequence: 5, checked: 6 });
    expect(again.body.checked).toBe(again.body.headSequence + 1);
    expect(again.body.headHash).not.toBe(receipts[4].hash);
  });

  it.each([
    ['fromSequence and toSequence', '?fromSequence=1&toSequence=3', { fromSequence: 1, toSequence: 3, checked: 3 }],
    ['a single event', '?fromSequence=4&toSequence=4', { fromSequence: 4, toSequence: 4, checked: 1 }],
    ['fromSequence only (to the head)', '?fromSequence=2', { fromSequence: 2, toSequence: 4, checked: 3 }],
    ['toSequence only', '?toSequence=2', { fromSequence: 0, toSequence: 2, checked: 3 }],
    ['a toSequence beyond the head (clamped)', '?fromSequence=3&toSequence=999', { fromSequence: 3, toSequence: 4, checked: 2 }],
  ])('verifies a range: %s', async (_label, query, expected) => {
    const res = await verify(query).expect(200);
    // The head is the last of the 5 events: this verify's own record is written after its answer.
    expect(res.body).toMatchObject({ valid: true, headSequence: 4, ...expected });
  });

  it.each([
    ['toSequence < fromSequence', '?fromSequence=3&toSequence=2', undefined],
    ['a negative fromSequence', '?fromSequence=-1', 'fromSequence'],
    ['a non-integer toSequence', '?toSequence=two', 'toSequence'],
    ['an unknown parameter', '?tenant=globex', 'tenant'],
  ])('refuses %s with 400 problem+json', async (_label, query, path) => {
    const res = await verify(query).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (path) expect(res.body.errors).toContainEqual({ path, message: expect.any(String) });
    else expect(res.body.detail).toMatch(/toSequence must not be less than fromSequence/);
  });

  it('needs audit:verify: a standard user is refused with 403', async () => {
    await api.http().get('/v1/integrity/verify').set('Authorization', bearer({ roles: ['standard_user'], sub: 'alice' })).expect(403);
  });

  describe('after tampering with the event store file', () => {
    let db: Database.Database;
    beforeEach(() => {
      db = new Database(path.join(t.dataDir, 'events.db'));
      db.pragma('busy_timeout = 5000');
    });
    afterEach(() => db.close());

    const tamper = (revision: number, jsonPath: string, value: string) => {
      db.exec('DROP TRIGGER IF EXISTS events_are_immutable');
      const changed = db.prepare("UPDATE events SET data = json_set(data, ?, ?) WHERE stream = 'audit-acme' AND revision = ?").run(jsonPath, value, revision);
      expect(changed.changes).toBe(1);
    };

    it('is append-only at the database level: UPDATE and DELETE of an event are refused', async () => {
      expect((await caught(() => db.prepare("UPDATE events SET data = '{}' WHERE stream = 'audit-acme' AND revision = 1").run())).message).toMatch(/append-only: UPDATE/);
      expect((await caught(() => db.prepare("DELETE FROM events WHERE stream = 'audit-acme' AND revision = 1").run())).message).toMatch(/append-only: DELETE/);
      expect((await verify().expect(200)).body.valid).toBe(true);
    });

    it('detects a changed event: invalid from its sequence, because its hash no longer matches its content', async () => {
      tamper(2, '$.action', 'invoice.delete');
      const res = await verify().expect(200);
      expect(res.body).toMatchObject({ valid: false, firstInvalidSequence: 2, checked: 2, headSequence: 4, reason: expect.stringMatching(/hash/) });
      expect(res.body.reason).toMatch(/content/);
      // A range that ends before, or starts after, the changed event still verifies: links are checked within the range.
      expect((await verify('?toSequence=1').expect(200)).body).toMatchObject({ valid: true, checked: 2 });
      expect((await verify('?fromSequence=3').expect(200)).body).toMatchObject({ valid: true });
      expect((await verify('?fromSequence=2&toSequence=2').expect(200)).body).toMatchObject({ valid: false, firstInvalidSequence: 2 });
    });

    it('detects a broken link: a rewritten prevHash makes that event the first invalid one', async () => {
      tamper(3, '$.prevHash', 'f'.repeat(64));
      const res = await verify().expect(200);
      expect(res.body).toMatchObject({ valid: false, firstInvalidSequence: 3, checked: 3, headSequence: 4, reason: expect.stringMatching(/prevHash/) });
      expect(receipts[2].hash).not.toBe('f'.repeat(64));
    });
  });
});

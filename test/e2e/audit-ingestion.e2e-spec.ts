import request from 'supertest';
import { AuditEventInput } from '../../src/audit-log/audit-event';
import { UnrecordableAuditEventError } from '../../src/audit-log/audit-log.errors';
import { AuditStreamWriter } from '../../src/audit-log/record-audit-events/audit-stream-writer';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { SERVICE_NAME } from '../../src/audit-log/audit-event';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

describe('Audit event ingestion (POST /v1/audit-events, /batch)', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  /** Head of the tenant's chain as the verify endpoint reports it (its own record lands after it answers). */
  const head = async () => (await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body.headSequence as number;
  const eventsRecordedBy = async (actorId: string) =>
    (await http().get(`/v1/audit-events?actorId=${actorId}&limit=500&minSequence=${await head()}`).set('Authorization', officer).expect(200)).body.items;

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('records one event durably and returns its receipt; the stored entry has server fields in UTC', async () => {
    const event = auditEvent({ occurredAt: '2026-11-20T11:00:00+01:00' });
    const res = await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(201);
    expect(res.body).toEqual({ id: event.id, tenantId: 'acme', sequence: 0, hash: expect.stringMatching(/^[0-9a-f]{64}$/), recordedAt: expect.any(String), duplicate: false });

    const detail = await http().get(`/v1/audit-events/${event.id}?minSequence=0`).set('Authorization', officer).expect(200);
    expect(detail.body).toMatchObject({
      id: event.id,
      tenantId: 'acme',
      occurredAt: '2026-11-20T10:00:00.000Z',
      sequence: 0,
      prevHash: '0'.repeat(64),
      hash: res.body.hash,
      integrity: { sequence: 0, prevHash: '0'.repeat(64), hash: res.body.hash },
      diff: [{ path: 'amount', change: 'modified', before: 100, after: 120 }],
    });
  });

  it('records a batch atomically with contiguous sequences and a valid chain', async () => {
    const events = Array.from({ length: 25 }, (_, i) => auditEvent({ resource: { type: 'invoice', id: `INV-${i}` } }));
    const res = await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events }).expect(201);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(events.map((e) => e.id));
    expect(res.body.results.map((r: { sequence: number }) => r.sequence)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const verify = await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    // 25 events (0..24); the verify request's own record is appended after it answered.
    expect(verify.body).toMatchObject({ valid: true, headSequence: 24, checked: 25 });
  });

  it('coalesces concurrent submissions into appends without gaps or duplicates', async () => {
    const events = Array.from({ length: 60 }, () => auditEvent());
    const results = await Promise.all(events.map((e) => http().post('/v1/audit-events').set('Authorization', writer).send(e)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const sequences = results.map((r) => r.body.sequence as number).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect((await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body.valid).toBe(true);
  });

  it('treats the id as an idempotency key: a resend returns the original, a different payload is a 409', async () => {
    const event = auditEvent();
    const first = await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(201);
    const again = await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });

    const conflict = await http()
      .post('/v1/audit-events')
      .set('Authorization', writer)
      .send({ ...event, action: 'invoice.delete' })
      .expect(409);
    expect(conflict.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(conflict.body.errors).toEqual([{ path: 'id', message: expect.stringContaining(event.id as string) }]);

    // In a batch: resent ids come back as duplicates, new ones are recorded; a conflicting one fails the whole batch.
    const fresh = auditEvent();
    const batch = await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events: [event, fresh] }).expect(201);
    expect(batch.body.results.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([true, false]);
    const before = await head();
    await http()
      .post('/v1/audit-events/batch')
      .set('Authorization', writer)
      .send({ events: [auditEvent(), { ...fresh, outcome: 'failure' }] })
      .expect(409);
    expect(await head()).toBe(before + 1); // +1: the previous head() request's own record; nothing of the batch
  });

  it('finds an id again after the read model has caught up (idempotency beyond the in-memory window)', async () => {
    const event = auditEvent();
    await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(201);
    await http().get(`/v1/audit-events/${event.id}?minSequence=0`).set('Authorization', officer).expect(200);
    await new Promise((r) => setTimeout(r, 50));
    const again = await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(200);
    expect(again.body.sequence).toBe(0);
  });

  it.each([
    ['an unknown top-level field', { extra: 1 }, 'events[1].extra', 'is not an accepted field'],
    ['an unknown nested field', { actor: { id: 'a', type: 'user', nickname: 'x' } }, 'events[1].actor.nickname', 'is not an accepted field'],
    ['a missing field', { resource: undefined }, 'events[1].resource', 'is required'],
    ['a bad enum', { channel: 'fax' }, 'events[1].channel', 'must be one of ui, api, workflow, system'],
    ['a date without offset', { occurredAt: '2026-11-20T10:00:00' }, 'events[1].occurredAt', expect.any(String)],
    ['a date far in the future', { occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() }, 'events[1].occurredAt', 'is more than 5 minutes in the future'],
  ])('refuses a batch with %s (422, field path) and records none of it', async (_label, override, path, message) => {
    const before = await head();
    const res = await http()
      .post('/v1/audit-events/batch')
      .set('Authorization', writer)
      .send({ events: [auditEvent(), auditEvent(override)] })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Validation Failed' });
    expect(res.body.errors).toContainEqual({ path, message });
    expect(await head()).toBe(before + 1); // +1: the previous head() request's own record; nothing of the batch
  });

  it('refuses oversized input with 413: > 1000 events, an event > 64 KiB, a body > 5 MiB', async () => {
    const tooMany = Array.from({ length: 1001 }, () => auditEvent());
    await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events: tooMany }).expect(413);
    await http()
      .post('/v1/audit-events')
      .set('Authorization', writer)
      .send(auditEvent({ metadata: { blob: 'x'.repeat(65 * 1024) } }))
      .expect(413);
    const big = Array.from({ length: 90 }, () => auditEvent({ metadata: { blob: 'y'.repeat(60 * 1024) } }));
    const res = await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events: big }).expect(413);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await head()).toBe(-1); // nothing at all was written
  });

  it('refuses malformed JSON with 400 problem+json', async () => {
    const res = await http().post('/v1/audit-events').set('Authorization', writer).set('Content-Type', 'application/json').send('{"occurredAt": ').expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('writes to the token tenant; a tenantId in the body needs a platform ingestor, and one tenant per batch', async () => {
    await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent({ tenantId: 'globex' })).expect(403);
    const ingestor = bearer({ roles: ['platform_ingestor'], sub: 'platform', tenant: 'platform', actorType: 'service' });
    const res = await http().post('/v1/audit-events').set('Authorization', ingestor).send(auditEvent({ tenantId: 'globex' })).expect(201);
    expect(res.body.tenantId).toBe('globex');
    await http()
      .post('/v1/audit-events/batch')
      .set('Authorization', ingestor)
      .send({ events: [auditEvent({ tenantId: 'globex' }), auditEvent({ tenantId: 'initech' })] })
      .expect(403);
  });

  it('keeps tenants apart: another tenant cannot see or verify this tenant’s events', async () => {
    const event = auditEvent();
    await http().post('/v1/audit-events').set('Authorization', writer).send(event).expect(201);
    const otherOfficer = bearer({ roles: ['compliance_officer'], tenant: 'globex', sub: 'gary' });
    await http().get(`/v1/audit-events/${event.id}`).set('Authorization', otherOfficer).expect(404);
    const list = await http().get('/v1/audit-events?action=invoice.update').set('Authorization', otherOfficer).expect(200);
    expect(list.body.items).toEqual([]);
    // globex's log holds only globex's own audited reads so far: the detail attempt (404) and the search.
    expect((await http().get('/v1/integrity/verify').set('Authorization', otherOfficer).expect(200)).body.headSequence).toBe(1);
    expect(await eventsRecordedBy('alice')).toHaveLength(1);
  });

  it('isolates a submission that cannot be recorded: 200 concurrent writes grouped with it into one commit all get 201, only it is refused', async () => {
    const auditWriter = t.app.get(AuditStreamWriter);
    const store = t.app.get<EventStore>(EVENT_STORE);
    const appendSizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const append = store.append.bind(store);
    // The first append waits at the gate, so everything submitted meanwhile queues up for the next commit.
    jest.spyOn(store, 'append').mockImplementation(async (stream, events, expected) => {
      if (appendSizes.push(events.length) === 1) await gate;
      return append(stream, events, expected);
    });
    const submitted = jest.spyOn(auditWriter, 'record');
    const untilTrue = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    // What the self-audit recorder builds for a token whose `sub` holds a lone surrogate.
    const recordOf = (actorId: string): AuditEventInput => ({
      occurredAt: new Date().toISOString(),
      actor: { id: actorId, type: 'service' },
      action: 'audit.list',
      outcome: 'success',
      resource: { type: 'audit-log', id: 'acme' },
      channel: 'api',
      context: { sourceService: 'compliance-audit-trail' },
    });

    const holder = auditWriter.record('acme', [recordOf('svc-holder')]);
    await untilTrue(() => appendSizes.length === 1);
    const writes = Promise.all(Array.from({ length: 200 }, () => http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent())));
    await untilTrue(() => submitted.mock.calls.length === 201);
    const poison = auditWriter.record('acme', [recordOf('svc-\ud800')]).then(
      () => null,
      (error: unknown) => error,
    );
    release();

    const results = await writes;
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(201));
    const refused = await poison;
    expect(refused).toBeInstanceOf(UnrecordableAuditEventError);
    expect((refused as UnrecordableAuditEventError).errors).toEqual([{ path: 'actor.id', message: expect.stringMatching(/lone surrogate/) }]);
    await holder;
    expect(appendSizes).toEqual([1, 200]); // the 200 and the poison were one group commit
    jest.restoreAllMocks();
    expect((await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body).toMatchObject({ valid: true, headSequence: 200 });
  });

  it('refuses metadata nested 7,000 levels deep with 422 and a field path, writes nothing, and stays healthy', async () => {
    const deepJson = '{"a":'.repeat(6999) + '{}' + '}'.repeat(6999);
    const body = JSON.stringify(auditEvent()).replace(/}$/, `,"metadata":${deepJson}}`);
    const res = await http().post('/v1/audit-events').set('Authorization', writer).set('Content-Type', 'application/json').send(body).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ path: 'metadata' + '.a'.repeat(31), message: 'nests deeper than 32 levels (the event itself is level 1)' }]);
    const batch = `{"events":[${JSON.stringify(auditEvent())},${JSON.stringify(auditEvent()).replace(/}$/, `,"changes":{"before":null,"after":${deepJson}}}`)}]}`;
    const refused = await http().post('/v1/audit-events/batch').set('Authorization', writer).set('Content-Type', 'application/json').send(batch).expect(422);
    expect(refused.body.errors[0].path).toBe('events[1].changes.after' + '.a'.repeat(30));
    expect(await head()).toBe(-1);
    await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent()).expect(201);
  });

  it('refuses an integer beyond double precision (123456789012345678901234567890) with 422 instead of rounding it', async () => {
    const body = JSON.stringify(auditEvent()).replace(/}$/, ',"metadata":{"amount":123456789012345678901234567890}}');
    const res = await http().post('/v1/audit-events').set('Authorization', writer).set('Content-Type', 'application/json').send(body).expect(422);
    expect(res.body.errors).toEqual([{ path: 'metadata.amount', message: expect.stringContaining('cannot be stored exactly') }]);
    expect(await head()).toBe(-1);
  });

  it('refuses a lone surrogate (escaped in the JSON text) with 422 before it reaches the writer', async () => {
    const body = JSON.stringify(auditEvent()).replace(/}$/, ',"metadata":{"note":"bad \\ud800 text"}}');
    const res = await http().post('/v1/audit-events').set('Authorization', writer).set('Content-Type', 'application/json').send(body).expect(422);
    expect(res.body.errors).toEqual([{ path: 'metadata.note', message: expect.stringContaining('lone surrogate') }]);
  });

  it.each([
    ['year 0000', '0000-11-20T10:00:00Z'],
    ['a space instead of T', '2026-11-20 10:00:00Z'],
    ['a 13-digit fraction', '2026-11-20T10:00:00.1234567890123Z'],
    ['no offset', '2026-11-20T10:00:00'],
  ])('refuses occurredAt with %s (422; RFC 3339 only)', async (_label, occurredAt) => {
    const res = await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent({ occurredAt })).expect(422);
    expect(res.body.errors).toEqual([{ path: 'occurredAt', message: expect.any(String) }]);
  });

  it(`refuses context.sourceService "${SERVICE_NAME}" (the mark of the service's own records) from every ingestion path`, async () => {
    const forged = () => auditEvent({ action: 'access.denied', outcome: 'denied', context: { sourceService: SERVICE_NAME } });
    const single = await http().post('/v1/audit-events').set('Authorization', writer).send(forged()).expect(422);
    expect(single.body.errors).toEqual([{ path: 'context.sourceService', message: `"${SERVICE_NAME}" is reserved for records the audit service writes about itself` }]);
    const batch = await http().post('/v1/audit-events/batch').set('Authorization', writer).send({ events: [auditEvent(), forged()] }).expect(422);
    expect(batch.body.errors).toEqual([{ path: 'events[1].context.sourceService', message: expect.stringContaining('reserved') }]);
    const ingestor = bearer({ roles: ['platform_ingestor'], sub: 'platform', tenant: 'platform', actorType: 'service' });
    await http().post('/v1/audit-events').set('Authorization', ingestor).send({ ...forged(), tenantId: 'acme' }).expect(422);
    await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent({ context: { sourceService: 'COMPLIANCE-AUDIT-TRAIL' } })).expect(422);
    expect(await head()).toBe(-1);
    // The service's own records still carry it: the verify above recorded itself.
    const own = await http().get('/v1/audit-events?action=audit_log.verify&limit=1&minSequence=0').set('Authorization', officer).expect(200);
    expect(own.body.items[0]?.context?.sourceService ?? own.body.items).toBe(SERVICE_NAME);
  });

  it('verifies a chain holding an event nested 7,000 levels deep (as stored before the depth limit) with a verdict, not a stack overflow', async () => {
    let metadata: Record<string, unknown> = {};
    for (let i = 1; i < 7000; i++) metadata = { a: metadata };
    // Straight to the writer, as ingestion accepted such events before the limit existed.
    await t.app.get(AuditStreamWriter).record('acme', [{ ...(auditEvent() as unknown as AuditEventInput), metadata }]);
    await http().post('/v1/audit-events').set('Authorization', writer).send(auditEvent()).expect(201);
    const verify = await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200);
    expect(verify.body).toMatchObject({ valid: true, headSequence: 1, checked: 2 });
  });
});

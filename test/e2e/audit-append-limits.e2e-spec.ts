import request from 'supertest';
import { AuditStreamWriter } from '../../src/audit-log/record-audit-events/audit-stream-writer';
import { appendBytesOf, EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { auditEvent } from '../support/audit-event.factory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
/** A store with a small append limit, as EventStoreDB has (1 MiB by default), scaled down. */
const APPEND_LIMIT = 200_000;

describe('Group commit under an event store append limit', () => {
  let t: TestApp;
  let appendBytes: number[];
  /** The first audit append waits here, so everything submitted meanwhile queues for the next group commit. */
  let releaseFirstAppend: () => void;
  const http = () => request(t.app.getHttpServer());
  const withNote = (bytes: number) => auditEvent({ metadata: { note: 'x'.repeat(bytes) } });

  beforeEach(async () => {
    t = await createTestApp();
    const store = t.app.get<EventStore>(EVENT_STORE);
    Object.defineProperty(store, 'maxAppendBytes', { value: APPEND_LIMIT });
    appendBytes = [];
    const gate = new Promise<void>((resolve) => (releaseFirstAppend = resolve));
    const append = store.append.bind(store);
    jest.spyOn(store, 'append').mockImplementation(async (stream, events, expected) => {
      if (stream.startsWith('audit-') && appendBytes.push(appendBytesOf(events)) === 1) await gate;
      return append(stream, events, expected);
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  it('splits queued submissions into appends that each stay under the limit, and records all of them', async () => {
    const auditWriter = t.app.get(AuditStreamWriter);
    const submitted = jest.spyOn(auditWriter, 'record');
    const holder = http().post('/v1/audit-events').set('Authorization', writer).send(withNote(10)).then((r) => r.status);
    while (appendBytes.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const batches = Array.from({ length: 40 }, () => ({ events: Array.from({ length: 10 }, () => withNote(2000)) }));
    const writes = Promise.all(batches.map((body) => http().post('/v1/audit-events/batch').set('Authorization', writer).send(body)));
    while (submitted.mock.calls.length < 41) await new Promise((resolve) => setTimeout(resolve, 2));
    releaseFirstAppend();

    expect(await holder).toBe(201);
    expect((await writes).map((r) => r.status)).toEqual(Array(40).fill(201));
    // 40 × ~31 kB queued together: grouped into several appends, none over the limit.
    expect(appendBytes.length).toBeGreaterThanOrEqual(1 + Math.ceil((40 * 10 * 2000) / APPEND_LIMIT));
    expect(Math.max(...appendBytes)).toBeLessThanOrEqual(APPEND_LIMIT);
    const verdict = (await http().get('/v1/integrity/verify').set('Authorization', officer).expect(200)).body;
    expect(verdict).toMatchObject({ valid: true, headSequence: 400 });
  });

  it('refuses a batch that cannot fit one append with 413, not 503, and records nothing of it', async () => {
    releaseFirstAppend();
    const tooBig = { events: Array.from({ length: 80 }, () => withNote(3000)) };
    const res = await http().post('/v1/audit-events/batch').set('Authorization', writer).send(tooBig).expect(413);

    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.detail).toMatch(/at most 200000 bytes per append/);
    expect(appendBytes).toEqual([]);
    const ok = await http().post('/v1/audit-events').set('Authorization', writer).send(withNote(10)).expect(201);
    expect(ok.body.sequence).toBe(0);
  });
});

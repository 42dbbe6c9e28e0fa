import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { AuditLogReader } from '../../src/audit-log/query/audit-log-reader';
import { auditApi, parseCsv, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse, SseConnection, SseMessage } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });

/** The CSV columns, in order: part of the export contract (SIEM imports map them by name). */
const CSV_COLUMNS = [
  'sequence', 'id', 'occurredAt', 'recordedAt', 'tenantId', 'actor.id', 'actor.type', 'actor.role', 'actor.sessionId', 'actor.ip',
  'actor.userAgent', 'actor.onBehalfOf', 'action', 'outcome', 'resource.type', 'resource.id', 'resource.name', 'resource.sensitivity', 'channel',
  'context.requestId', 'context.correlationId', 'context.workflowId', 'context.sourceService', 'changes.before', 'changes.after', 'dataSubjects', 'metadata',
  'prevHash', 'hash',
];

const ndjsonOf = (body: string): StoredAuditEvent[] => {
  expect(body.endsWith('\n')).toBe(true);
  return body
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as StoredAuditEvent);
};

const newestFirst = (a: StoredAuditEvent, b: StoredAuditEvent) => (a.occurredAt === b.occurredAt ? b.sequence - a.sequence : a.occurredAt < b.occurredAt ? 1 : -1);

describe('Audit log export and live tail (GET /v1/audit-events/export, /stream)', () => {
  let t: TestApp;
  let api: ReturnType<typeof auditApi>;

  describe('export', () => {
    const day = (d: number) => `2025-07-0${d}T08:00:00.000Z`;
    const dataset = {
      X1: auditEvent({ occurredAt: day(1), action: 'report.export', resource: { type: 'report', id: 'R-1', name: '=SUM(A1)' } }),
      X2: auditEvent({ occurredAt: day(2), action: 'report.view', resource: { type: 'report', id: 'R-2', name: 'Report, "Q1"\nfinal' }, dataSubjects: ['ds-1', 'ds-2'] }),
      X3: auditEvent({
        occurredAt: day(3),
        action: 'report.update',
        resource: { type: 'report', id: 'R-3', name: '@cmd' },
        changes: { before: { title: 'a,b' }, after: { title: 'say "hi"' } },
        metadata: { note: 'line1\r\nline2', n: 1 },
      }),
      X4: auditEvent({ occurredAt: day(3), action: 'report.update', resource: { type: 'report', id: 'R-4', name: '-2+3' }, actor: { id: '+admin', type: 'admin' } }),
      X5: auditEvent({ occurredAt: day(4), action: 'report.delete', outcome: 'denied', resource: { type: 'report', id: 'R-5' }, context: { correlationId: 'c-1', requestId: 'r-1' } }),
    };
    const ids = Object.values(dataset).map((e) => e.id as string);
    let receipts: Awaited<ReturnType<typeof api.record>>;

    beforeEach(async () => {
      t = await createTestApp();
      api = auditApi(t.app);
      receipts = await api.record(writer, Object.values(dataset));
      // Export has no minSequence: make sure the dataset is in the read model first.
      await api.list(officer, 'limit=1', receipts[receipts.length - 1].sequence);
    });
    afterEach(() => t.close());

    const exportOf = (query: string, token = officer) => api.http().get(`/v1/audit-events/export?${query}`).set('Authorization', token).buffer(true).parse(textBody());

    it('streams NDJSON: one JSON object per line, every event up to the head it announces, newest first', async () => {
      const res = await exportOf('format=ndjson').expect(200);
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-acme-[0-9TZ-]+\.ndjson"$/);
      const head = Number(res.headers['x-audit-head-sequence']);
      expect(head).toBeGreaterThanOrEqual(receipts[receipts.length - 1].sequence);

      const events = ndjsonOf(res.body);
      // Every sequence 0..head exactly once (dataset, the priming search, maybe this export's own record), none beyond.
      expect(events.map((e) => e.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: head + 1 }, (_, i) => i));
      expect([...events].sort(newestFirst)).toEqual(events);
      expect(res.headers['x-audit-head-hash']).toBe(events.find((e) => e.sequence === head)!.hash);
      // Lines are the stored events, as the detail endpoint shows them.
      const x3 = events.find((e) => e.id === dataset.X3.id)!;
      const detail = await api.http().get(`/v1/audit-events/${dataset.X3.id}`).set('Authorization', officer).expect(200);
      const { diff: _diff, integrity: _integrity, ...stored } = detail.body;
      expect(x3).toEqual(stored);
    });

    it('applies the list filters to the export', async () => {
      const res = await exportOf('resourceType=report&outcome=success').expect(200);
      expect(ndjsonOf(res.body).map((e) => e.id)).toEqual([dataset.X4.id, dataset.X3.id, dataset.X2.id, dataset.X1.id]);
      const none = await exportOf('actorId=nobody').expect(200);
      expect(none.body).toBe('');
      expect(none.headers['x-audit-head-sequence']).toEqual(expect.stringMatching(/^\d+$/));
    });

    it('streams CSV: a header row, one RFC 4180 row per event, quoting and formula-injection guard', async () => {
      const res = await exportOf('format=csv&resourceType=report').expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-acme-[0-9TZ-]+\.csv"$/);
      expect(res.headers['x-audit-head-sequence']).toEqual(expect.stringMatching(/^\d+$/));
      expect(res.headers['x-audit-head-hash']).toMatch(/^[0-9a-f]{64}$/);
      const text = res.body as string;
      expect(text.startsWith(CSV_COLUMNS.join(',') + '\r\n')).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);

      const [header, ...rows] = parseCsv(text);
      expect(header).toEqual(CSV_COLUMNS);
      expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
      const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
      expect(records.map((r) => r.id)).toEqual([dataset.X5.id, dataset.X4.id, dataset.X3.id, dataset.X2.id, dataset.X1.id]);
      const byId = new Map(records.map((r) => [r.id, r]));
      const [x1, x2, x3, x4, x5] = ids.map((id) => byId.get(id)!);

      // Commas, quotes and line breaks survive inside a quoted cell.
      expect(text).toContain('"Report, ""Q1""\nfinal"');
      expect(x2['resource.name']).toBe('Report, "Q1"\nfinal');
      expect(JSON.parse(x2.dataSubjects)).toEqual(['ds-1', 'ds-2']);
      expect(JSON.parse(x3['changes.before'])).toEqual({ title: 'a,b' });
      expect(JSON.parse(x3['changes.after'])).toEqual({ title: 'say "hi"' });
      expect(JSON.parse(x3.metadata)).toEqual({ note: 'line1\r\nline2', n: 1 });
      // Text a spreadsheet would evaluate (= + - @) is neutralised with a leading apostrophe.
      expect(x1['resource.name']).toBe("'=SUM(A1)");
      expect(x3['resource.name']).toBe("'@cmd");
      expect(x4['resource.name']).toBe("'-2+3");
      expect(x4['actor.id']).toBe("'+admin");
      // Numbers and absent values are written as such.
      expect(x5.sequence).toBe(String(receipts[4].sequence));
      expect(x5['resource.name']).toBe('');
      expect(x5['context.correlationId']).toBe('c-1');
      expect(x5.outcome).toBe('denied');
      expect(x5.hash).toBe(receipts[4].hash);
    });

    it('is a snapshot: events recorded after the head was read stay out, though the scan finds them', async () => {
      // Hold the export between reading the head and scanning, until the test says go.
      const reader = t.app.get(AuditLogReader);
      const scan = reader.scan.bind(reader);
      let scanRequested!: () => void;
      const requested = new Promise<void>((r) => (scanRequested = r));
      let go!: () => void;
      const gate = new Promise<void>((r) => (go = r));
      jest.spyOn(reader, 'scan').mockImplementation(async function* (filter, pageSize) {
        scanRequested();
        await gate;
        yield* scan(filter, pageSize);
      });

      const exporting = exportOf('resourceType=report').then((r) => r);
      await requested;
      // Recorded (and projected) while the export is under way, after its head was read.
      const late = [
        auditEvent({ occurredAt: '2025-07-09T00:00:00.000Z', resource: { type: 'report', id: 'LATE-NEWEST' } }),
        auditEvent({ occurredAt: '2024-01-01T00:00:00.000Z', resource: { type: 'report', id: 'LATE-OLDEST' } }),
      ];
      const lateReceipts = await api.record(writer, late);
      await api.list(officer, 'resourceType=report&limit=1', lateReceipts[1].sequence);
      go();

      const res = await exporting;
      expect(res.status).toBe(200);
      const head = Number(res.headers['x-audit-head-sequence']);
      expect(head).toBeGreaterThanOrEqual(receipts[receipts.length - 1].sequence);
      expect(lateReceipts.every((r) => r.sequence > head)).toBe(true);
      const exported = ndjsonOf(res.body);
      expect(exported.map((e) => e.id)).toEqual([dataset.X5.id, dataset.X4.id, dataset.X3.id, dataset.X2.id, dataset.X1.id]);
      expect(exported.every((e) => e.sequence <= head)).toBe(true);
      // The next export's head covers them.
      jest.restoreAllMocks();
      const after = ndjsonOf((await exportOf('resourceType=report')).body);
      expect(after.map((e) => e.id)).toEqual([late[0].id, dataset.X5.id, dataset.X4.id, dataset.X3.id, dataset.X2.id, dataset.X1.id, late[1].id]);
    });

    // Regression: the export once changed the documents scan() pages with (it deleted their sortKey), so that scan() re-read page one forever once ≥ 1000 events matched.
    it('exports more than one scan page (over 1000 events) with every event exactly once', async () => {
      const many = Array.from({ length: 1003 }, (_, i) =>
        auditEvent({ occurredAt: new Date(Date.UTC(2025, 8, 1) + i * 1000).toISOString(), resource: { type: 'bulk', id: `B-${i}` }, changes: undefined }),
      );
      await api.record(writer, many.slice(0, 1000));
      const [last] = await api.record(writer, many.slice(1000));
      await api.list(officer, 'limit=1', last.sequence);
      const res = await exportOf('resourceType=bulk').expect(200);
      const exported = ndjsonOf(res.body).map((e) => e.id);
      expect(exported).toHaveLength(1003);
      expect(exported).toEqual(many.map((e) => e.id).reverse());
    });

    it.each([
      ['an unknown format', 'format=xml', 'format'],
      ['an unknown parameter', 'limit=10', 'limit'],
      ['a bad channel', 'channel=fax', 'channel'],
    ])('refuses %s with 400 problem+json', async (_label, query, path) => {
      const res = await api.http().get(`/v1/audit-events/export?${query}`).set('Authorization', officer).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toContainEqual({ path, message: expect.any(String) });
    });
  });

  describe('live tail (Server-Sent Events)', () => {
    const open: SseConnection[] = [];
    let baseUrl: string;

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

    async function connect(path: string, headers: Record<string, string> = {}): Promise<{ sse: SseConnection; after: number }> {
      const sse = await openSse(baseUrl, path, { Authorization: officer, ...headers });
      open.push(sse);
      expect(sse.status).toBe(200);
      const [, after] = await sse.waitForComment(/^streaming audit events after sequence (-?\d+)$/);
      return { sse, after: Number(after) };
    }
    const idsOf = (messages: SseMessage[]) => messages.map((m) => (JSON.parse(m.data) as StoredAuditEvent).id);
    const hasAll = (ids: string[]) => (messages: SseMessage[]) => ids.every((id) => idsOf(messages).includes(id));

    it('sends the events appended after connecting, each with id = its sequence and event = audit-event', async () => {
      const earlier = auditEvent({ action: 'order.placed' });
      const [earlierReceipt] = await api.record(writer, [earlier]);
      await api.list(officer, 'limit=1', earlierReceipt.sequence);

      const { sse, after } = await connect('/v1/audit-events/stream');
      expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(sse.headers['cache-control']).toMatch(/no-cache/);
      expect(after).toBeGreaterThanOrEqual(earlierReceipt.sequence);

      const events = [auditEvent({ action: 'order.placed' }), auditEvent({ action: 'order.shipped' }), auditEvent({ action: 'order.placed' })];
      const receipts = await api.record(writer, events);
      await sse.waitFor(hasAll(events.map((e) => e.id as string)));

      expect(sse.messages.every((m) => m.event === 'audit-event')).toBe(true);
      const sequences = sse.messages.map((m) => Number(m.id));
      expect(sequences.every((s) => s > after)).toBe(true);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(sequences).size).toBe(sequences.length);
      for (const [i, event] of events.entries()) {
        const message = sse.messages.find((m) => JSON.parse(m.data).id === event.id)!;
        expect(message.id).toBe(String(receipts[i].sequence));
        expect(JSON.parse(message.data)).toMatchObject({ id: event.id, action: event.action, sequence: receipts[i].sequence, hash: receipts[i].hash, tenantId: 'acme' });
      }
      expect(idsOf(sse.messages)).not.toContain(earlier.id);
    });

    it('applies the filters: only matching events are sent', async () => {
      const { sse } = await connect('/v1/audit-events/stream?action=order.placed&outcome=success');
      const events = [
        auditEvent({ action: 'order.shipped' }),
        auditEvent({ action: 'order.placed' }),
        auditEvent({ action: 'order.placed', outcome: 'failure' }),
        auditEvent({ action: 'order.placed' }),
      ];
      await api.record(writer, events);
      // Sent in sequence order: once the last match is here, any earlier non-match would have been too.
      await sse.waitFor((m) => idsOf(m).includes(events[3].id as string));
      expect(idsOf(sse.messages)).toEqual([events[1].id, events[3].id]);
    });

    it('resumes exactly after Last-Event-ID on reconnect: no gap, no duplicate', async () => {
      const filter = '?action=order.placed';
      const first = await connect(`/v1/audit-events/stream${filter}`);
      const batch1 = Array.from({ length: 5 }, () => auditEvent({ action: 'order.placed' }));
      await api.record(writer, batch1);
      await first.sse.waitFor((m) => m.length >= 3);
      const lastSeen = first.sse.messages[2];
      first.sse.close();

      // Recorded while disconnected.
      const batch2 = Array.from({ length: 2 }, () => auditEvent({ action: 'order.placed' }));
      await api.record(writer, batch2);

      const second = await connect(`/v1/audit-events/stream${filter}`, { 'Last-Event-ID': lastSeen.id! });
      expect(second.after).toBe(Number(lastSeen.id));
      const sentinel = auditEvent({ action: 'order.placed' });
      await api.record(writer, [sentinel]);
      await second.sse.waitFor((m) => idsOf(m).includes(sentinel.id as string));

      const expected = [...batch1.slice(3), ...batch2, sentinel].map((e) => e.id);
      expect(idsOf(second.sse.messages)).toEqual(expected);
      expect(idsOf(first.sse.messages).slice(0, 3)).toEqual(batch1.slice(0, 3).map((e) => e.id));

      // The lastEventId query parameter does the same for clients that cannot set the header.
      const third = await connect(`/v1/audit-events/stream${filter}&lastEventId=${lastSeen.id}`);
      await third.sse.waitFor((m) => idsOf(m).includes(sentinel.id as string));
      expect(idsOf(third.sse.messages)).toEqual(expected);
    });

    it('records the connection as audit_log.stream in the caller’s tenant', async () => {
      const { sse } = await connect('/v1/audit-events/stream?action=order.placed', { 'X-Audit-Channel': 'ui', 'X-Request-Id': 'sse-req-1' });
      sse.close();
      const [record, ...others] = await api.list(officer, 'action=audit_log.stream', await api.head(officer));
      expect(others).toEqual([]);
      expect(record).toMatchObject({
        actor: { id: 'carol', type: 'user', role: 'compliance_officer' },
        outcome: 'success',
        channel: 'ui',
        resource: { type: 'audit_log', id: 'acme' },
        context: { requestId: 'sse-req-1' },
        metadata: { method: 'GET', query: { action: 'order.placed' } },
      });
    });

    it('refuses a caller without read permission before any event is sent', async () => {
      const sse = await openSse(baseUrl, '/v1/audit-events/stream', { Authorization: writer });
      open.push(sse);
      expect(sse.status).toBe(403);
      expect(sse.headers['content-type']).toMatch(/^application\/problem\+json/);
    });
  });
});

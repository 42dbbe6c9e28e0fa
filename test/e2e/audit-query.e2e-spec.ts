import { StoredAuditEvent } from '../../src/audit-log/audit-event';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { baseUrlOf, openSse, SseConnection } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

type Item = StoredAuditEvent;

describe('Audit log queries (GET /v1/audit-events, /{id})', () => {
  describe('filters and ordering', () => {
    // One log, read only: the dataset below plus the self-audit records of the reader's own searches.
    const TENANT = 'filters';
    const READER = 'rita';
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service', tenant: TENANT });
    const reader = bearer({ roles: ['auditor'], sub: READER, tenant: TENANT });
    const at = (day: number, time = '10:00:00') => `2025-03-0${day}T${time}.000Z`;
    const dataset = {
      E1: auditEvent({ occurredAt: at(1), actor: { id: 'alice', type: 'user' }, action: 'invoice.update', resource: { type: 'invoice', id: 'INV-1' }, outcome: 'success', channel: 'ui' }),
      E2: auditEvent({ occurredAt: at(2), actor: { id: 'bob', type: 'admin' }, action: 'invoice.approve', resource: { type: 'invoice', id: 'INV-2' }, outcome: 'success', channel: 'api' }),
      E3: auditEvent({ occurredAt: at(3), actor: { id: 'agent-7', type: 'ai_agent' }, action: 'invoice.update', resource: { type: 'invoice', id: 'INV-1' }, outcome: 'failure', channel: 'workflow' }),
      E4: auditEvent({ occurredAt: at(4), actor: { id: 'svc-payroll', type: 'service' }, action: 'payroll.run', resource: { type: 'payroll', id: 'RUN-9' }, outcome: 'denied', channel: 'system' }),
      E5: auditEvent({ occurredAt: at(5), actor: { id: 'alice', type: 'user' }, action: 'customer.view', resource: { type: 'customer', id: 'C-1' }, outcome: 'success', channel: 'ui' }),
      // Same occurredAt as E5, recorded later (higher sequence): newest first puts it before E5.
      E6: auditEvent({ occurredAt: at(5), actor: { id: 'alice', type: 'user' }, action: 'invoice.update', resource: { type: 'invoice', id: 'INV-2' }, outcome: 'success', channel: 'api' }),
      E7: auditEvent({ occurredAt: at(6, '00:00:00'), actor: { id: 'scheduler', type: 'system' }, action: 'retention.expire', resource: { type: 'policy', id: 'P-1' }, outcome: 'success', channel: 'system' }),
    };
    type Label = keyof typeof dataset;
    // Recorded out of time order, so that sequence order differs from occurredAt order.
    const recordingOrder: Label[] = ['E3', 'E1', 'E7', 'E5', 'E2', 'E6', 'E4'];
    const labelOf = new Map(Object.entries(dataset).map(([label, e]) => [e.id as string, label]));
    let t: TestApp;
    let api: ReturnType<typeof auditApi>;

    beforeAll(async () => {
      t = await createTestApp();
      api = auditApi(t.app);
      const receipts = await api.record(writer, recordingOrder.map((l) => dataset[l]));
      await api.list(reader, 'limit=1', receipts[receipts.length - 1].sequence);
    });
    afterAll(() => t.close());

    /** Items of the dataset (by label), after checking the rest are the reader's own audited searches. */
    const datasetLabels = (items: Item[], ownSearchesExpected: boolean) => {
      const own = items.filter((i) => i.actor.id === READER);
      if (ownSearchesExpected) {
        expect(own.length).toBeGreaterThan(0);
        expect(own.every((i) => i.action === 'audit_log.search')).toBe(true);
        // Recorded now, so newer than every dataset event: they lead the page.
        expect(items.slice(0, own.length)).toEqual(own);
      } else {
        expect(own).toEqual([]);
      }
      return items.filter((i) => i.actor.id !== READER).map((i) => labelOf.get(i.id) ?? `unexpected ${i.action}`);
    };

    it.each<[string, string, Label[]]>([
      ['to (exclusive: an event exactly at `to` is left out)', `to=${at(3)}`, ['E2', 'E1']],
      ['to with an offset (normalised to UTC)', `to=${encodeURIComponent('2025-03-03T11:00:00+01:00')}`, ['E2', 'E1']],
      ['from and to (from inclusive, to exclusive)', `from=${at(2)}&to=${at(5)}`, ['E4', 'E3', 'E2']],
      ['actorId', 'actorId=alice', ['E6', 'E5', 'E1']],
      ['actorType=ai_agent', 'actorType=ai_agent', ['E3']],
      ['actorType=system', 'actorType=system', ['E7']],
      ['resourceType', 'resourceType=invoice', ['E6', 'E3', 'E2', 'E1']],
      ['resourceId', 'resourceId=INV-1', ['E3', 'E1']],
      ['action', 'action=invoice.update', ['E6', 'E3', 'E1']],
      ['outcome=failure', 'outcome=failure', ['E3']],
      ['outcome=denied', 'outcome=denied', ['E4']],
      ['channel=workflow', 'channel=workflow', ['E3']],
      ['channel=system', 'channel=system', ['E7', 'E4']],
      ['channel=ui', 'channel=ui', ['E5', 'E1']],
      ['actorId + action + channel', 'actorId=alice&action=invoice.update&channel=api', ['E6']],
      ['resourceType + outcome + from', `resourceType=invoice&outcome=success&from=${at(2, '00:00:00')}`, ['E6', 'E2']],
      ['resourceId + actorType + to', `resourceId=INV-1&actorType=user&to=${at(3)}`, ['E1']],
      ['filters that match nothing together', 'actorId=bob&outcome=failure', []],
    ])('filters by %s, newest first', async (_label, query, expected) => {
      expect(datasetLabels(await api.list(reader, `${query}&limit=500`), false)).toEqual(expected);
    });

    it('filters by from alone (inclusive); the reader’s own searches, recorded now, are newer and lead the page', async () => {
      const items = await api.list(reader, `from=${at(3)}&limit=500`);
      expect(datasetLabels(items, true)).toEqual(['E7', 'E6', 'E5', 'E4', 'E3']);
    });

    it('orders newest first: occurredAt desc, then sequence desc for equal occurredAt (not recording order)', async () => {
      const items = await api.list(reader, 'limit=500');
      expect(datasetLabels(items, true)).toEqual(['E7', 'E6', 'E5', 'E4', 'E3', 'E2', 'E1']);
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1], items[i]];
        expect(a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.sequence > b.sequence)).toBe(true);
      }
      const [e6, e5] = [items.find((i) => i.id === dataset.E6.id)!, items.find((i) => i.id === dataset.E5.id)!];
      expect(e6.occurredAt).toBe(e5.occurredAt);
      expect(e6.sequence).toBeGreaterThan(e5.sequence);
    });

    it.each([
      ['an unknown query parameter', 'foo=1', 'foo'],
      ['a bad outcome', 'outcome=maybe', 'outcome'],
      ['a bad actorType', 'actorType=robot', 'actorType'],
      ['a from that is no date', 'from=yesterday', 'from'],
      ['limit=0', 'limit=0', 'limit'],
      ['limit=501', 'limit=501', 'limit'],
      ['a non-numeric limit', 'limit=ten', 'limit'],
      ['a negative minSequence', 'minSequence=-1', 'minSequence'],
    ])('refuses %s with 400 problem+json naming the field in errors[].path', async (_label, query, path) => {
      const res = await api.http().get(`/v1/audit-events?${query}`).set('Authorization', reader).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', type: expect.any(String) });
      expect(res.body.errors).toContainEqual({ path, message: expect.any(String) });
    });
  });

  describe('limits and cursor pagination', () => {
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    let t: TestApp;
    let api: ReturnType<typeof auditApi>;
    beforeEach(async () => {
      t = await createTestApp();
      api = auditApi(t.app);
    });
    afterEach(() => t.close());

    const minute = (n: number) => new Date(Date.UTC(2025, 5, 1, 12, 0) + n * 60_000).toISOString();
    /** Events of actor `pager`; every three share an occurredAt, so ties are ordered by sequence. */
    const pagerEvents = (count: number) => Array.from({ length: count }, (_, i) => auditEvent({ occurredAt: minute(Math.floor(i / 3)), actor: { id: 'pager', type: 'user' } }));
    const newestFirst = (events: Array<{ id: string; occurredAt: string; sequence: number }>) =>
      [...events].sort((a, b) => (a.occurredAt === b.occurredAt ? b.sequence - a.sequence : a.occurredAt < b.occurredAt ? 1 : -1)).map((e) => e.id);
    const withSequences = (events: Array<Record<string, unknown>>, receipts: Array<{ sequence: number }>) =>
      events.map((e, i) => ({ id: e.id as string, occurredAt: e.occurredAt as string, sequence: receipts[i].sequence }));

    async function page(query: string, minSequence?: number): Promise<{ items: Item[]; nextCursor: string | null }> {
      const res = await api
        .http()
        .get(`/v1/audit-events?${query}${minSequence !== undefined ? `&minSequence=${minSequence}` : ''}`)
        .set('Authorization', officer)
        .expect(200);
      return res.body;
    }

    it('returns 50 items by default, up to 500 on request, and a cursor while more remain', async () => {
      const events = Array.from({ length: 60 }, (_, i) => auditEvent({ occurredAt: minute(i) }));
      const receipts = await api.record(writer, events);
      const byDefault = await page('actorId=alice', receipts[59].sequence);
      expect(byDefault.items).toHaveLength(50);
      expect(byDefault.nextCursor).toEqual(expect.any(String));
      const max = await page('actorId=alice&limit=500');
      expect(max.items).toHaveLength(60);
      expect(max.nextCursor).toBeNull();
      const one = await page('actorId=alice&limit=1');
      expect(one.items.map((i) => i.id)).toEqual([events[59].id]);
      expect(one.nextCursor).toEqual(expect.any(String));
    });

    it('walks every matching event exactly once, in order, with ties on occurredAt across page boundaries', async () => {
      const events = pagerEvents(23);
      const receipts = await api.record(writer, events);
      const [other] = await api.record(writer, [auditEvent({ actor: { id: 'someone-else', type: 'user' }, occurredAt: minute(3) })]);
      const expected = newestFirst(withSequences(events, receipts));

      for (const limit of [5, 3, 23]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await page(`actorId=pager&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, other.sequence);
          expect(res.items.length).toBeLessThanOrEqual(limit);
          seen.push(...res.items.map((i) => i.id));
          cursor = res.nextCursor;
          pages += 1;
        } while (cursor);
        expect(seen).toEqual(expected);
        // No trailing empty page: the last page says so itself (23 = 4×5+3, 7×3+2, 1×23).
        expect(pages).toBe(Math.ceil(23 / limit));
      }
    });

    it('stays stable while events are ingested between pages: no existing item is skipped or repeated', async () => {
      const original = pagerEvents(12);
      const receipts = await api.record(writer, original);
      const expected = newestFirst(withSequences(original, receipts));

      const first = await page('actorId=pager&limit=4', receipts[11].sequence);
      expect(first.items.map((i) => i.id)).toEqual(expected.slice(0, 4));
      const lastOfFirst = first.items[3];
      // Ahead of the cursor (newer, or a tie with the cursor item but a higher sequence) and behind it (older).
      const newer = auditEvent({ occurredAt: minute(99), actor: { id: 'pager', type: 'user' } });
      const tieWithCursor = auditEvent({ occurredAt: lastOfFirst.occurredAt, actor: { id: 'pager', type: 'user' } });
      const older = auditEvent({ occurredAt: minute(-10), actor: { id: 'pager', type: 'user' } });
      const late1 = await api.record(writer, [newer, tieWithCursor, older]);

      const second = await page(`actorId=pager&limit=4&cursor=${first.nextCursor}`, late1[2].sequence);
      expect(second.items.map((i) => i.id)).toEqual(expected.slice(4, 8));
      const tieWithSecond = auditEvent({ occurredAt: second.items[3].occurredAt, actor: { id: 'pager', type: 'user' } });
      const late2 = await api.record(writer, [tieWithSecond]);

      const rest: string[] = [];
      let cursor = second.nextCursor;
      while (cursor) {
        const res = await page(`actorId=pager&limit=4&cursor=${cursor}`, late2[0].sequence);
        rest.push(...res.items.map((i) => i.id));
        cursor = res.nextCursor;
      }
      const walked = [...first.items, ...second.items].map((i) => i.id).concat(rest);
      expect(walked.filter((id) => expected.includes(id))).toEqual(expected);
      expect(new Set(walked).size).toBe(walked.length);
      // A cursor is a position: what sorts after it appears (the older event), what sorts before it does not.
      expect(walked.slice(expected.length)).toEqual([older.id]);
      expect(walked).not.toContain(newer.id);
      expect(walked).not.toContain(tieWithCursor.id);
      expect(walked).not.toContain(tieWithSecond.id);
    });

    it.each([
      ['random text', 'not-a-cursor'],
      ['base64 of another JSON shape', Buffer.from(JSON.stringify({ v: 2, k: '2025-06-01T12:00:00.000Z|000000000001' })).toString('base64url')],
      ['a forged sort key', Buffer.from(JSON.stringify({ v: 1, k: "' OR 1=1 --" })).toString('base64url')],
    ])('refuses a garbage cursor (%s) with 400 problem+json', async (_label, cursor) => {
      await api.record(writer, pagerEvents(3));
      const res = await api.http().get(`/v1/audit-events?cursor=${encodeURIComponent(cursor)}`).set('Authorization', officer).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400, detail: expect.stringContaining('cursor') });
    });
  });

  describe('detail (GET /v1/audit-events/{id})', () => {
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    let t: TestApp;
    let api: ReturnType<typeof auditApi>;
    beforeAll(async () => {
      t = await createTestApp();
      api = auditApi(t.app);
    });
    afterAll(() => t.close());

    it('returns before/after, a field-level diff and the integrity fields linking it to the previous event', async () => {
      const previous = auditEvent();
      const event = auditEvent({
        changes: {
          before: { amount: 100, status: 'draft', lines: [{ qty: 1 }], address: { city: 'Oslo' } },
          after: { amount: 120, lines: [{ qty: 2 }, { qty: 5 }], approvedBy: 'bob', address: { city: 'Oslo' } },
        },
      });
      const [r0, r1] = await api.record(writer, [previous, event]);
      const res = await api.http().get(`/v1/audit-events/${event.id}?minSequence=${r1.sequence}`).set('Authorization', officer).expect(200);
      expect(res.body).toMatchObject({
        id: event.id,
        action: event.action,
        actor: event.actor,
        resource: event.resource,
        changes: event.changes,
        sequence: r1.sequence,
        prevHash: r0.hash,
        hash: r1.hash,
        integrity: { sequence: r1.sequence, prevHash: r0.hash, hash: r1.hash },
      });
      // Sorted by path; unchanged fields (address.city) are not listed.
      expect(res.body.diff).toEqual([
        { path: 'amount', change: 'modified', before: 100, after: 120 },
        { path: 'approvedBy', change: 'added', after: 'bob' },
        { path: 'lines[0].qty', change: 'modified', before: 1, after: 2 },
        { path: 'lines[1]', change: 'added', after: { qty: 5 } },
        { path: 'status', change: 'removed', before: 'draft' },
      ]);
    });

    it('lists every field as added for a creation (before null) and gives an empty diff without changes', async () => {
      const created = auditEvent({ changes: { before: null, after: { name: 'ACME', vat: 'NO123' } } });
      const noChanges = auditEvent({ changes: undefined, action: 'invoice.view' });
      const receipts = await api.record(writer, [created, noChanges]);
      const a = await api.http().get(`/v1/audit-events/${created.id}?minSequence=${receipts[1].sequence}`).set('Authorization', officer).expect(200);
      expect(a.body.diff).toEqual([
        { path: 'name', change: 'added', after: 'ACME' },
        { path: 'vat', change: 'added', after: 'NO123' },
      ]);
      const b = await api.http().get(`/v1/audit-events/${noChanges.id}`).set('Authorization', officer).expect(200);
      expect(b.body.changes).toBeUndefined();
      expect(b.body.diff).toEqual([]);
    });

    it('refuses a non-UUID id with 400 problem+json', async () => {
      const res = await api.http().get('/v1/audit-events/not-a-uuid').set('Authorization', officer).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400 });
    });

    it('answers 404 problem+json for an id not in the tenant', async () => {
      const res = await api.http().get('/v1/audit-events/8d1f5c57-9a53-4a0e-8a55-2f1f3c5a7e01').set('Authorization', officer).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404, title: 'Not Found', detail: expect.stringContaining('8d1f5c57-9a53-4a0e-8a55-2f1f3c5a7e01') });
    });
  });

  describe('read-your-writes (minSequence)', () => {
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-ingest', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    let t: TestApp;
    let api: ReturnType<typeof auditApi>;
    beforeEach(async () => {
      t = await createTestApp();
      api = auditApi(t.app);
    });
    afterEach(() => t.close());

    it('answers promptly once the sequence has been applied: the write is visible to list and detail', async () => {
      const event = auditEvent({ action: 'invoice.rywcheck' });
      const [receipt] = await api.record(writer, [event]);
      const started = Date.now();
      const list = await api.http().get(`/v1/audit-events?action=invoice.rywcheck&minSequence=${receipt.sequence}`).set('Authorization', officer).expect(200);
      expect(list.body.items.map((i: Item) => i.id)).toEqual([event.id]);
      await api.http().get(`/v1/audit-events/${event.id}?minSequence=${receipt.sequence}`).set('Authorization', officer).expect(200);
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('a list issued before the write it names waits for it instead of missing it', async () => {
      const head = await api.head(officer);
      const event = auditEvent({ action: 'invoice.rywwait' });
      // head+1 is the head() verify's own record (written before its answer arrived), so head+2 can only be
      // the write; the list's own record is written after it has its answer.
      const pending = api.http().get(`/v1/audit-events?action=invoice.rywwait&minSequence=${head + 2}`).set('Authorization', officer).then((r) => r);
      await api.record(writer, [event]);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: Item) => i.id)).toEqual([event.id]);
    });

    it('answers 503 problem+json after waiting about 5 s for a sequence beyond the head', async () => {
      const head = await api.head(officer);
      const started = Date.now();
      const res = await api.http().get(`/v1/audit-events?minSequence=${head + 1000}`).set('Authorization', officer);
      const waited = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, detail: expect.stringContaining(String(head + 1000)) });
      expect(waited).toBeGreaterThanOrEqual(4900);
      expect(waited).toBeLessThan(8000);
    }, 15_000);
  });

  describe('access by role', () => {
    const writerSub = 'svc-billing';
    const writer = bearer({ roles: ['audit_writer'], sub: writerSub, actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    const auditor = bearer({ roles: ['auditor'], sub: 'audrey' });
    const alice = bearer({ roles: ['standard_user'], sub: 'alice' });
    const aliceEvents = [auditEvent({ action: 'invoice.update', resource: { type: 'invoice', id: 'INV-A1' } }), auditEvent({ action: 'invoice.view', resource: { type: 'invoice', id: 'INV-A2' } })];
    const bobEvents = [
      auditEvent({ actor: { id: 'bob', type: 'user' }, action: 'invoice.update', resource: { type: 'invoice', id: 'INV-B1' } }),
      auditEvent({ actor: { id: 'bob', type: 'admin' }, action: 'role.assign', resource: { type: 'role', id: 'admin' } }),
    ];
    const aliceIds = aliceEvents.map((e) => e.id);
    const bobIds = bobEvents.map((e) => e.id);
    let t: TestApp;
    let api: ReturnType<typeof auditApi>;
    let lastSequence: number;
    const open: SseConnection[] = [];

    beforeEach(async () => {
      t = await createTestApp();
      await t.app.listen(0, '127.0.0.1');
      api = auditApi(t.app);
      const receipts = await api.record(writer, [aliceEvents[0], bobEvents[0], aliceEvents[1], bobEvents[1]]);
      lastSequence = receipts[3].sequence;
      await api.list(officer, 'limit=1', lastSequence);
    });
    afterEach(async () => {
      open.splice(0).forEach((c) => c.close());
      await t.close();
    });

    describe('standard_user (own records only: actor.id = sub)', () => {
      it('lists only events whose actor is the caller, including the records of the caller’s own earlier searches', async () => {
        await api.list(alice, 'action=invoice.view'); // recorded before its answer is sent
        const items = await api.list(alice, 'limit=500', await api.head(officer));
        expect(items.every((i) => i.actor.id === 'alice')).toBe(true);
        expect(items.filter((i) => aliceIds.includes(i.id)).map((i) => i.id)).toEqual([...aliceIds].reverse());
        expect(items.some((i) => bobIds.includes(i.id))).toBe(false);
        // The earlier search's record, not this search's own (written once this answer is ready).
        const own = items.filter((i) => !aliceIds.includes(i.id));
        expect(own.map((i) => i.action)).toEqual(['audit_log.search']);
        expect(own[0].metadata).toMatchObject({ query: { action: 'invoice.view' } });
        expect((await api.list(alice, 'action=invoice.update')).map((i) => i.id)).toEqual([aliceEvents[0].id]);
      });

      it('gets an empty list when filtering by another actor, and its own events when filtering by itself', async () => {
        expect(await api.list(alice, 'actorId=bob')).toEqual([]);
        expect(await api.list(alice, 'actorId=bob&action=invoice.update')).toEqual([]);
        expect((await api.list(alice, 'actorId=alice&resourceType=invoice')).map((i) => i.id)).toEqual([...aliceIds].reverse());
      });

      it('sees the detail of its own event; another actor’s event is a 404, as if it did not exist', async () => {
        await api.http().get(`/v1/audit-events/${aliceEvents[0].id}`).set('Authorization', alice).expect(200);
        const res = await api.http().get(`/v1/audit-events/${bobEvents[0].id}`).set('Authorization', alice).expect(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      });

      it('exports only its own events', async () => {
        const res = await api.http().get('/v1/audit-events/export?format=ndjson').set('Authorization', alice).buffer(true).parse(textBody()).expect(200);
        const lines = (res.body as string).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Item);
        expect(lines.every((e) => e.actor.id === 'alice')).toBe(true);
        expect(lines.filter((e) => aliceIds.includes(e.id)).map((e) => e.id)).toEqual([...aliceIds].reverse());
        expect(lines.some((e) => bobIds.includes(e.id))).toBe(false);
      });

      it('live-tails only its own events', async () => {
        const sse = await openSse(baseUrlOf(t.app.getHttpServer()), '/v1/audit-events/stream', { Authorization: alice });
        open.push(sse);
        expect(sse.status).toBe(200);
        await sse.waitForComment(/after sequence (-?\d+)/);
        const bobLater = auditEvent({ actor: { id: 'bob', type: 'user' }, action: 'invoice.delete' });
        const aliceLater = auditEvent({ action: 'invoice.delete' });
        // Bob's is appended first: had it passed the scope, it would arrive before Alice's.
        await api.record(writer, [bobLater, aliceLater]);
        await sse.waitFor((m) => m.some((x) => JSON.parse(x.data).id === aliceLater.id));
        const received = sse.messages.map((m) => JSON.parse(m.data) as Item);
        expect(received.every((e) => e.actor.id === 'alice')).toBe(true);
        expect(received.map((e) => e.id)).not.toContain(bobLater.id);
      });
    });

    it('lets an auditor search, view, export and verify', async () => {
      expect((await api.list(auditor, 'actorId=bob')).map((i) => i.id)).toEqual([...bobIds].reverse());
      await api.http().get(`/v1/audit-events/${bobEvents[1].id}`).set('Authorization', auditor).expect(200);
      await api.http().get('/v1/audit-events/export').set('Authorization', auditor).expect(200);
      await api.http().get('/v1/integrity/verify').set('Authorization', auditor).expect(200);
    });

    it('refuses every read to an audit_writer with 403, and records each refusal as access.denied', async () => {
      const routes = [
        ['/v1/audit-events', 'GET /v1/audit-events'],
        [`/v1/audit-events/${aliceEvents[0].id}`, 'GET /v1/audit-events/:id'],
        ['/v1/audit-events/export', 'GET /v1/audit-events/export'],
        ['/v1/audit-events/stream', 'GET /v1/audit-events/stream'],
      ];
      for (const [url] of routes) {
        const res = await api.http().get(url).set('Authorization', writer).expect(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const denials = await api.list(officer, `action=access.denied&actorId=${writerSub}`, await api.head(officer));
      expect(denials.map((d) => d.resource).reverse()).toEqual(routes.map(([, id]) => ({ type: 'route', id })));
      for (const denial of denials) {
        expect(denial).toMatchObject({ outcome: 'denied', actor: { id: writerSub, type: 'service', role: 'audit_writer' }, tenantId: 'acme' });
      }
      // The refused requests read nothing, so no read was recorded for the writer.
      expect((await api.list(officer, `actorId=${writerSub}`)).map((d) => d.action)).toEqual(['access.denied', 'access.denied', 'access.denied', 'access.denied']);
    });
  });
});

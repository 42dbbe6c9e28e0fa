import { RecordedEvent } from '../event-store/event-store.port';
import { ProjectionWriter } from '../projections/projection';
import { AUDIT_EVENT_RECORDED } from './audit-event';
import { AuditLogProjection, nestedDeeperThan } from './audit-log.projection';
import { AUDIT_EVENTS, AUDIT_TENANTS } from './audit-log.read-model';

const nested = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth - 1) + '[]' + '}'.repeat(depth - 1));

describe('nestedDeeperThan', () => {
  it('counts objects and arrays as levels and scalars as none', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan(nested(3), 3)).toBe(false);
    expect(nestedDeeperThan(nested(4), 3)).toBe(true);
    expect(nestedDeeperThan({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    expect(nestedDeeperThan(nested(100_000), 256)).toBe(true);
  });
});

describe('AuditLogProjection', () => {
  it('stores an index entry per event, not a copy of its body (the log holds the evidence, ADR 031)', async () => {
    const puts = new Map<string, Record<string, unknown>>();
    const writer: ProjectionWriter = {
      get: async (collection, id) => (puts.get(`${collection}/${id}`) as never) ?? null,
      put: (collection, doc) => void puts.set(`${collection}/${doc.id}`, doc as never),
      delete: () => undefined,
    };
    const event = {
      id: '7b0c2d4e-1111-4222-8333-944455556666',
      tenantId: 'acme',
      sequence: 7,
      occurredAt: '2026-11-29T10:00:00.000Z',
      recordedAt: '2026-11-29T10:00:01.000Z',
      actor: { id: 'u-1', type: 'user', ip: '10.0.0.1', userAgent: 'curl' },
      action: 'invoice.update',
      outcome: 'success',
      resource: { type: 'invoice', id: 'inv-1', name: 'Invoice 1' },
      channel: 'api',
      context: { requestId: 'r-1', sourceService: 'billing' },
      changes: { before: { amount: 1 }, after: { amount: 2 } },
      metadata: { note: 'n' },
      prevHash: 'p'.repeat(64),
      hash: 'h'.repeat(64),
    };
    const recorded = { id: event.id, stream: 'audit-acme', revision: 7, position: '7', type: AUDIT_EVENT_RECORDED, data: event, metadata: {}, recordedAt: new Date() };
    await new AuditLogProjection().apply(recorded as unknown as RecordedEvent, writer);
    expect(puts.get(`${AUDIT_EVENTS}/acme:${event.id}`)).toEqual({
      id: `acme:${event.id}`,
      eventId: event.id,
      tenantId: 'acme',
      sequence: 7,
      sortKey: '2026-11-29T10:00:00.000Z|000000000007',
      actor: { id: 'u-1', type: 'user' },
      action: 'invoice.update',
      outcome: 'success',
      resource: { type: 'invoice', id: 'inv-1' },
      channel: 'api',
      context: { sourceService: 'billing' },
    });
    expect(puts.get(`${AUDIT_TENANTS}/acme`)).toEqual({ id: 'acme', headSequence: 7, headHash: event.hash });
  });
});

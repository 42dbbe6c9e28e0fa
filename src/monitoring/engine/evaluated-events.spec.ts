import { StoredAuditEvent } from '../../audit-log/audit-event';
import { groupKeyOf, recordWeightOf } from '../evaluation/rule-scope';
import { GROUP_BY_FIELDS } from '../rules/monitoring-rule';
import { chunkIdsBetween, evaluatedChunkIdOf, evaluatedEventsOf, EVENTS_PER_CHUNK, withEvaluatedEvent, withoutSequences } from './evaluated-events';

const stored = (overrides: Partial<StoredAuditEvent> = {}): StoredAuditEvent =>
  ({
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    tenantId: 'acme',
    sequence: 41,
    occurredAt: '2026-11-21T12:00:00.123Z',
    recordedAt: '2026-11-21T12:00:01.000Z',
    actor: { id: 'kim', type: 'user', ip: '10.0.0.1', userAgent: 'curl' },
    action: 'customer.export',
    outcome: 'success',
    resource: { type: 'customer', id: 'C-1', name: 'Kim', sensitivity: 'personal' },
    channel: 'api',
    context: { requestId: 'r-1', sourceService: 'crm' },
    metadata: { recordCount: 250, note: 'big' },
    changes: { before: { a: 1 }, after: { a: 2 } },
    prevHash: 'p',
    hash: 'h',
    ...overrides,
  }) as StoredAuditEvent;

/** Through JSON, as the read store keeps it. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("the engine's compact copy of the audit log (backtests read it)", () => {
  it('keeps every field a rule can look at, in chunks of consecutive sequences', () => {
    const event = stored();
    const chunk = roundTrip(withEvaluatedEvent(null, event));
    expect(chunk).toMatchObject({ id: evaluatedChunkIdOf('acme', 41), tenantId: 'acme', chunk: Math.floor(41 / EVENTS_PER_CHUNK) });
    const [back] = evaluatedEventsOf(chunk);
    expect(back).toEqual({
      id: event.id,
      tenantId: 'acme',
      sequence: 41,
      occurredAt: event.occurredAt,
      actor: { id: 'kim', type: 'user' },
      action: 'customer.export',
      outcome: 'success',
      resource: { type: 'customer', id: 'C-1', sensitivity: 'personal' },
      channel: 'api',
      context: { sourceService: 'crm' },
      metadata: { recordCount: 250 },
    });
    expect(groupKeyOf(GROUP_BY_FIELDS, back)).toEqual(groupKeyOf(GROUP_BY_FIELDS, event));
  });

  it('leaves out an absent sensitivity and source service, and counts an event without a usable recordCount as 1 record', () => {
    for (const metadata of [undefined, { recordCount: -3 }, { recordCount: 2.5 }, { recordCount: '7' }]) {
      const event = stored({ resource: { type: 'invoice', id: 'I-1' }, context: undefined, metadata: metadata as StoredAuditEvent['metadata'] });
      const [back] = evaluatedEventsOf(roundTrip(withEvaluatedEvent(null, event)));
      expect(back.resource).toEqual({ type: 'invoice', id: 'I-1' });
      expect(back.context).toBeUndefined();
      expect(recordWeightOf(back)).toBe(1);
      expect(groupKeyOf(GROUP_BY_FIELDS, back)).toEqual(groupKeyOf(GROUP_BY_FIELDS, event));
    }
  });

  it('adds an event once: a replayed event leaves the chunk as it is', () => {
    let chunk = withEvaluatedEvent(null, stored({ id: 'e0', sequence: 0 }));
    chunk = withEvaluatedEvent(chunk, stored({ id: 'e1', sequence: 1 }));
    expect(withEvaluatedEvent(chunk, stored({ id: 'e1', sequence: 1 }))).toBe(chunk);
    expect(withEvaluatedEvent(chunk, stored({ id: 'e0', sequence: 0 }))).toBe(chunk);
    expect(evaluatedEventsOf(chunk).map((e) => e.id)).toEqual(['e0', 'e1']);
    expect(evaluatedChunkIdOf('acme', EVENTS_PER_CHUNK - 1)).toBe('acme:0');
    expect(evaluatedChunkIdOf('acme', EVENTS_PER_CHUNK)).toBe('acme:1');
  });

  it('retention removes exactly the expired sequences, and a chunk left empty', () => {
    let chunk = withEvaluatedEvent(null, stored({ id: 'e0', sequence: 0 }));
    for (let s = 1; s < 5; s++) chunk = withEvaluatedEvent(chunk, stored({ id: `e${s}`, sequence: s }));
    expect(evaluatedEventsOf(withoutSequences(chunk, 0, 2)!).map((e) => e.sequence)).toEqual([3, 4]);
    expect(withoutSequences(chunk, 0, 4)).toBeNull();
    expect(chunkIdsBetween('acme', 0, 2 * EVENTS_PER_CHUNK)).toEqual(['acme:0', 'acme:1', 'acme:2']);
  });
});

import { StoredAuditEvent } from '../../audit-log/audit-event';
import { auditDocumentId, sortKeyOf } from '../../audit-log/audit-log.read-model';
import { groupKeyOf, recordWeightOf } from '../evaluation/rule-scope';
import { GROUP_BY_FIELDS } from '../rules/monitoring-rule';
import { evaluatedEventDocument, evaluatedEventOf } from './evaluated-events';

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

describe('the engine\'s compact copy of an audit event (backtests read it)', () => {
  it('keeps every field a rule can look at, and the id and sort key of the audit log', () => {
    const event = stored();
    const doc = evaluatedEventDocument(event);
    expect(doc).toMatchObject({ id: auditDocumentId('acme', event.id), tenantId: 'acme', sortKey: sortKeyOf(event.occurredAt, 41) });
    const back = evaluatedEventOf(JSON.parse(JSON.stringify(doc)));
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
      const back = evaluatedEventOf(JSON.parse(JSON.stringify(evaluatedEventDocument(event))));
      expect(back.resource).toEqual({ type: 'invoice', id: 'I-1' });
      expect(back.context).toBeUndefined();
      expect(recordWeightOf(back)).toBe(1);
      expect(groupKeyOf(GROUP_BY_FIELDS, back)).toEqual(groupKeyOf(GROUP_BY_FIELDS, event));
    }
  });
});

import { canonicalJson } from '../integrity/canonical-json';
import { AuditEventInput } from './audit-event';
import { canonicalStoredWithoutHash, submittedMembers, submittedSize } from './audit-event-canonical';

const input = (overrides: Partial<AuditEventInput> = {}): AuditEventInput => ({
  id: 'client-id-is-replaced',
  tenantId: 'body-tenant-is-replaced',
  occurredAt: '2026-11-20T10:00:00.000Z',
  actor: { id: 'alice', type: 'user', role: 'r', ip: '10.0.0.1' },
  action: 'invoice.update',
  outcome: 'success',
  resource: { type: 'invoice', id: 'INV-1', sensitivity: 'financial' },
  changes: { before: { amount: 1.5, lines: [{ q: 1 }], note: null }, after: { amount: 2, 'ü€': 'x\u2028y' } },
  channel: 'ui',
  metadata: { z: 1, a: [true, false, null], nested: { b: 'é', a: -0 } },
  dataSubjects: ['s-1', 's-2'],
  ...overrides,
});

describe('canonical stored event', () => {
  it('assembled from once-canonicalised members equals the JCS of the whole stored event', () => {
    for (const event of [input(), input({ changes: undefined, metadata: undefined, dataSubjects: undefined }), input({ context: { requestId: 'r"1' } })]) {
      const server = { id: 'server-id', tenantId: 'acme', sequence: 42, recordedAt: '2026-11-26T00:00:00.000Z', prevHash: 'ab'.repeat(32) };
      const { id: _id, tenantId: _t, ...submitted } = event;
      expect(canonicalStoredWithoutHash(event, server)).toBe(canonicalJson({ ...submitted, ...server }));
    }
  });

  it('never takes server-set members from the submission', () => {
    expect(submittedMembers(input()).map(([key]) => key)).not.toEqual(expect.arrayContaining(['id']));
    expect(submittedMembers(input()).map(([key]) => key)).not.toContain('tenantId');
  });

  it('measures the exact JSON byte length of the submission (multi-byte characters as bytes)', () => {
    for (const event of [input(), input({ id: undefined, tenantId: undefined }), input({ metadata: { text: 'ééé€€😀' } })]) {
      expect(submittedSize(event)).toBe(Buffer.byteLength(JSON.stringify(event)));
    }
  });
});

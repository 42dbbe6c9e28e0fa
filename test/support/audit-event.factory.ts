import { randomUUID } from 'node:crypto';

/** A valid audit event submission; override any field. */
export function auditEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    occurredAt: '2026-11-20T10:00:00.000Z',
    actor: { id: 'alice', type: 'user', role: 'finance_manager', sessionId: 's-1' },
    action: 'invoice.update',
    outcome: 'success',
    resource: { type: 'invoice', id: 'INV-1', sensitivity: 'financial' },
    changes: { before: { amount: 100 }, after: { amount: 120 } },
    channel: 'ui',
    ...overrides,
  };
}

import { randomUUID } from 'node:crypto';

const ACTIONS = ['invoice.update', 'invoice.approve', 'customer.view', 'report.export', 'role.assign', 'payment.release', 'record.delete', 'login'];
const RESOURCES = ['invoice', 'customer', 'report', 'role', 'payment', 'contract'];
const CHANNELS = ['ui', 'api', 'workflow', 'system'];
const OUTCOMES = ['success', 'success', 'success', 'success', 'success', 'success', 'success', 'success', 'failure', 'denied'];
const ACTOR_TYPES = ['user', 'user', 'user', 'admin', 'ai_agent', 'service'];

/** Deterministic pseudo-random numbers, so every run generates the same data shape. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

/**
 * A realistic audit event of about 1 KiB: `actors` distinct users, `resourceIds` ids per type.
 * Audit events reach the log roughly in the order they happen: occurredAt is `at` (default: now)
 * minus up to 2 s of client-side delay.
 */
export function makeEvent(r: () => number, options: { actors?: number; resourceIds?: number; at?: number } = {}) {
  const actors = options.actors ?? 1000;
  const occurredAt = new Date((options.at ?? Date.now()) - Math.floor(r() * 2000)).toISOString();
  const resourceType = pick(r, RESOURCES);
  const amount = Math.round(r() * 100_000) / 100;
  return {
    id: randomUUID(),
    occurredAt,
    actor: {
      id: `user-${Math.floor(r() * actors)}`,
      type: pick(r, ACTOR_TYPES),
      role: pick(r, ['finance_manager', 'clerk', 'admin', 'auditor']),
      sessionId: `sess-${Math.floor(r() * 1e9).toString(36)}`,
      ip: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    },
    action: pick(r, ACTIONS),
    outcome: pick(r, OUTCOMES),
    resource: { type: resourceType, id: `${resourceType}-${Math.floor(r() * (options.resourceIds ?? 5000))}`, name: `Record ${Math.floor(r() * 1e6)}`, sensitivity: pick(r, ['internal', 'financial', 'personal']) },
    changes: {
      before: { amount, status: 'draft', currency: 'EUR', approver: null, lines: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }] },
      after: { amount: amount + 10, status: 'approved', currency: 'EUR', approver: 'user-7', lines: [{ sku: 'A-1', qty: 3 }, { sku: 'B-7', qty: 1 }] },
    },
    channel: pick(r, CHANNELS),
    context: { requestId: randomUUID(), correlationId: randomUUID(), sourceService: 'billing' },
    metadata: { tags: ['q4', 'eu'], client: { version: '4.2.1' }, note: 'Routine approval within delegated authority limits, pre-checked' },
  };
}

import { createHash } from 'node:crypto';
import { canonicalJson } from '../integrity/canonical-json';
import { AuditEventInput, StoredAuditEvent } from './audit-event';

/** Fields the server adds; an idempotent resend is compared on everything else. */
const SERVER_FIELDS = new Set(['tenantId', 'sequence', 'recordedAt', 'prevHash', 'hash']);

/** Digest of what the client submitted (normalised), to tell a resend from a reused id. */
export function submittedFingerprint(event: AuditEventInput | StoredAuditEvent, id: string): string {
  const submitted: Record<string, unknown> = { ...event, id };
  for (const field of SERVER_FIELDS) delete submitted[field];
  return createHash('sha256').update(canonicalJson(submitted)).digest('hex');
}

import { canonicalJson, CanonicalJsonError, canonicalJsonOfMembers } from '../integrity/canonical-json';
import { AuditEventInput } from './audit-event';

/** Members the server sets itself; never taken from the submitted pieces. */
const SERVER_MEMBERS = new Set(['id', 'tenantId', 'sequence', 'recordedAt', 'prevHash', 'hash']);

const pieces = new WeakMap<AuditEventInput, Array<[string, string]>>();

/**
 * The canonical JSON of each submitted top-level member (apart from server-set ones), computed once
 * per event after normalisation and reused: for the size limit, the hash, and the stored text.
 * Throws a CanonicalJsonError whose path starts at the event (e.g. `actor.id`).
 */
export function submittedMembers(input: AuditEventInput): Array<[string, string]> {
  let members = pieces.get(input);
  if (!members) {
    members = [];
    for (const [key, value] of Object.entries(input)) {
      if (value !== undefined && !SERVER_MEMBERS.has(key)) members.push([key, canonicalMember(key, value)]);
    }
    pieces.set(input, members);
  }
  return members;
}

function canonicalMember(key: string, value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    throw new CanonicalJsonError(error.reason, error.path ? (error.path.startsWith('[') ? `${key}${error.path}` : `${key}.${error.path}`) : key);
  }
}

/**
 * Byte length of the event as submitted, serialized as JSON (key order does not change the length,
 * so the canonical members give it exactly, without serializing again).
 */
export function submittedSize(input: AuditEventInput): number {
  let bytes = 2; // braces
  let count = 0;
  const add = (key: string, json: string) => {
    bytes += Buffer.byteLength(key) + 3 + Buffer.byteLength(json); // "key":json
    count += 1;
  };
  for (const [key, json] of submittedMembers(input)) add(key, json);
  if (input.id !== undefined) add('id', JSON.stringify(input.id));
  if (input.tenantId !== undefined) add('tenantId', JSON.stringify(input.tenantId));
  return bytes + Math.max(0, count - 1); // commas
}

/** JCS of the stored event without its hash: the submitted members plus the server's. */
export function canonicalStoredWithoutHash(input: AuditEventInput, server: Record<string, string | number>): string {
  const members = submittedMembers(input).slice();
  for (const [key, value] of Object.entries(server)) members.push([key, canonicalJson(value)]);
  return canonicalJsonOfMembers(members);
}

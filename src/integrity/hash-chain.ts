import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** prevHash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = hex(SHA-256(prevHash ‖ JCS(event without `hash`))), where prevHash is the 64 lower-case hex
 * characters of the previous event's hash (ASCII) and the event includes its own `prevHash` field.
 */
export function chainHash(prevHash: string, eventWithoutHash: Record<string, unknown>): string {
  return hashOfCanonical(prevHash, canonicalJson(eventWithoutHash));
}

/** The same hash, from the already-computed JCS text of the event without `hash`. */
export function hashOfCanonical(prevHash: string, canonicalEventWithoutHash: string): string {
  return createHash('sha256').update(prevHash, 'latin1').update(canonicalEventWithoutHash, 'utf8').digest('hex');
}

import { StoredAuditEvent } from '../../audit-log/audit-event';
import { chainHash } from '../hash-chain';

/** null if the event's hash matches its content; otherwise why not, including an event too deep or odd to canonicalize. */
export function hashProblemOf(event: StoredAuditEvent): string | null {
  const { hash: _hash, ...withoutHash } = event;
  try {
    return chainHash(event.prevHash, withoutHash as Record<string, unknown>) === event.hash ? null : 'hash does not match the event content';
  } catch (error) {
    return `event cannot be processed to recompute its hash (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Host → worker: the events of one page to check. */
export interface HashRequest {
  id: number;
  events: StoredAuditEvent[];
}

/** Worker → host: `hashProblemOf` of each event, in order. */
export interface HashAnswer {
  id: number;
  problems: Array<string | null>;
}

import { SERVICE_NAME } from '../audit-log/audit-event';

/** The action of the record the retention job writes into a tenant's log before it expires events (ADR 025). */
export const RETENTION_EXPIRE_ACTION = 'retention.expire';

/** What a `retention.expire` record says it expired: sequences fromSequence..toSequence, the last of which had lastExpiredHash. */
export interface ExpiredRange {
  count: number;
  fromSequence: number;
  toSequence: number;
  lastExpiredHash: string;
}

/** The expiry the service itself ended up recording. Ingestion refuses the service's mark, so a caller cannot forge one (ADR 011). */
export interface AttestedExpiry extends ExpiredRange {
  /** Sequence of the `retention.expire` record in the retained log that accounts for the expired front. */
  recordSequence: number;
}

/**
 * The expired range a stored audit event records, if it is the service's own `retention.expire`
 * record; null for every other event. Works on the stored event (online) and on an exported line
 * (offline): both carry `action`, `context` and `metadata` as recorded.
 */
export function expiredRangeOf(event: Record<string, unknown>): ExpiredRange | null {
  if (event.action !== RETENTION_EXPIRE_ACTION) return null;
  if ((event.context as { sourceService?: unknown } | undefined)?.sourceService !== SERVICE_NAME) return null;
  const m = event.metadata as Record<string, unknown> | undefined;
  if (!m) return null;
  const { count, fromSequence, toSequence, lastExpiredHash } = m;
  if (![count, fromSequence, toSequence].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  if (typeof lastExpiredHash !== 'string' || !/^[0-9a-f]{64}$/.test(lastExpiredHash)) return null;
  return { count: count as number, fromSequence: fromSequence as number, toSequence: toSequence as number, lastExpiredHash };
}

/**
 * Tracks, while a chain is walked from its first retained event `firstSequence`, whether a
 * `retention.expire` record accounts for the missing front: it must name `toSequence =
 * firstSequence - 1` and `lastExpiredHash` = the first retained event's prevHash. Without one, a
 * stream that starts after 0 has lost its front (an insider deleted it) and is invalid.
 */
export class ExpiryAttestation {
  private found: AttestedExpiry | null = null;

  constructor(
    readonly firstSequence: number,
    readonly anchorHash: string,
  ) {}

  get needed(): boolean {
    return this.firstSequence > 0;
  }

  get attested(): AttestedExpiry | null {
    return this.found;
  }

  /** Looks at one verified event of the retained chain. */
  see(event: Record<string, unknown>, sequence: number): void {
    if (!this.needed || this.found) return;
    const range = expiredRangeOf(event);
    if (range && range.toSequence === this.firstSequence - 1 && range.lastExpiredHash === this.anchorHash && sequence > range.toSequence) {
      this.found = { ...range, recordSequence: sequence };
    }
  }

  /** Why the front is missing without an account of it, or null when it is accounted for (or nothing is missing). */
  problem(): string | null {
    if (!this.needed || this.found) return null;
    return `sequences 0..${this.firstSequence - 1} are missing from the start of the stream and no retention.expire record in the log accounts for them`;
  }
}

import { CanonicalJsonError } from '../../integrity/canonical-json';
import { hashOfCanonical } from '../../integrity/hash-chain';
import { AuditEventInput, RecordedReceipt, StoredAuditEvent } from '../audit-event';
import { canonicalStoredWithoutHash } from '../audit-event-canonical';
import { submittedFingerprint } from '../audit-fingerprint';

/**
 * The audit-log writer's decisions, without I/O (issue 10 item 2): which submissions of a group
 * commit are new events, idempotent resends or conflicts (plan), and the sequence and hash chain of
 * the new events (chain). The writer is the shell: it loads what the plan needs, appends, answers.
 */

/** The tenant log's head: the last recorded sequence (-1 for none) and its hash. */
export interface LogHead {
  tenantId: string;
  sequence: number;
  hash: string;
}

/** One event of a submission: new (at `index` among the group's new events) or a resend of a recorded one. */
export type PlannedEvent = { kind: 'existing'; event: StoredAuditEvent } | { kind: 'new'; input: AuditEventInput; id: string; index: number };

export type SubmissionPlan =
  | { outcome: 'accepted'; events: PlannedEvent[] }
  | { outcome: 'conflict'; id: string }
  | { outcome: 'unrecordable'; id: string; error: CanonicalJsonError };

/**
 * Plans the submissions of one group commit, in order. `recorded` holds the recorded events the
 * submissions' client ids name (looked up by the shell); `newId` assigns ids to events without one.
 * A reused id with other content is a conflict and refuses its whole submission (all or nothing);
 * the same id twice with the same content, within or across submissions, is one new event.
 */
export function planSubmissions(submissions: AuditEventInput[][], recorded: ReadonlyMap<string, StoredAuditEvent>, newId: () => string): SubmissionPlan[] {
  const claimed = new Map<string, { input: AuditEventInput; index: number }>();
  let nextIndex = 0;
  return submissions.map((inputs): SubmissionPlan => {
    const events: PlannedEvent[] = [];
    const local = new Map<string, { input: AuditEventInput; index: number }>();
    for (const input of inputs) {
      const id = input.id ?? newId();
      const known = input.id ? recorded.get(id) : undefined;
      try {
        if (known) {
          if (submittedFingerprint(known, id) !== submittedFingerprint(input, id)) return { outcome: 'conflict', id };
          events.push({ kind: 'existing', event: known });
          continue;
        }
        const sibling = local.get(id) ?? claimed.get(id);
        if (sibling) {
          if (submittedFingerprint(sibling.input, id) !== submittedFingerprint(input, id)) return { outcome: 'conflict', id };
          events.push({ kind: 'new', input: sibling.input, id, index: sibling.index });
          continue;
        }
      } catch (error) {
        // A recorded event this one is compared with cannot be canonicalised: refuse this submission only.
        if (error instanceof CanonicalJsonError) return { outcome: 'unrecordable', id, error };
        throw error;
      }
      const entry = { input, index: nextIndex + local.size };
      local.set(id, entry);
      events.push({ kind: 'new', input, id, index: entry.index });
    }
    local.forEach((entry, id) => claimed.set(id, entry));
    nextIndex += local.size;
    return { outcome: 'accepted', events };
  });
}

/** A chained event and its stored JSON text (the JCS text that was hashed, plus the hash). */
export interface ChainedEvent {
  event: StoredAuditEvent;
  json: string;
}

/**
 * Gives the planned new events (each index once, in index order) the next sequences after `head`
 * and chains their hashes; returns them and the new head.
 */
export function chainEvents(head: LogHead, plans: SubmissionPlan[], recordedAt: string): { chained: ChainedEvent[]; head: LogHead } {
  const unique = new Map<number, Extract<PlannedEvent, { kind: 'new' }>>();
  for (const plan of plans) {
    if (plan.outcome !== 'accepted') continue;
    for (const item of plan.events) if (item.kind === 'new' && !unique.has(item.index)) unique.set(item.index, item);
  }
  let sequence = head.sequence;
  let prevHash = head.hash;
  const chained: ChainedEvent[] = [];
  for (const [, { input, id }] of [...unique.entries()].sort(([a], [b]) => a - b)) {
    sequence += 1;
    const server = { id, tenantId: head.tenantId, sequence, recordedAt, prevHash };
    // The JCS text is built from members canonicalised once (at validation) and is also the stored text.
    const canonical = canonicalStoredWithoutHash(input, server);
    const hash = hashOfCanonical(prevHash, canonical);
    const { id: _id, tenantId: _tenant, ...fields } = input;
    chained.push({ event: { ...fields, ...server, hash }, json: `${canonical.slice(0, -1)},"hash":"${hash}"}` });
    prevHash = hash;
  }
  return { chained, head: { tenantId: head.tenantId, sequence, hash: prevHash } };
}

/** The receipts of an accepted submission once its new events are chained. */
export function receiptsOf(plan: Extract<SubmissionPlan, { outcome: 'accepted' }>, chained: ChainedEvent[]): RecordedReceipt[] {
  return plan.events.map((item) => {
    const event = item.kind === 'new' ? chained[item.index].event : item.event;
    return { id: event.id, tenantId: event.tenantId, sequence: event.sequence, hash: event.hash, recordedAt: event.recordedAt, duplicate: item.kind === 'existing' };
  });
}

import { StoredAuditEvent } from '../../audit-log/audit-event';
import { SERVICE_NAME } from '../../audit-log/audit-event';
import { EventStore } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { AuditFeedFilter } from '../endpoints/webhook-endpoint';

/** A batch of audit.events holds 1-100 stored events (ARCHITECTURE §9). */
export const MAX_BATCH_EVENTS = 100;
/** Events read from the log per page while filling a batch. */
const READ_PAGE = 1000;

/** Whether a stored event passes an endpoint's filter (the semantics of the audit-event list filters). */
export function matchesFeedFilter(event: StoredAuditEvent, filter: AuditFeedFilter | null): boolean {
  if (!filter) return true;
  if (filter.from !== undefined && event.occurredAt < filter.from) return false;
  if (filter.to !== undefined && event.occurredAt >= filter.to) return false;
  if (filter.actorId !== undefined && event.actor.id !== filter.actorId) return false;
  if (filter.actorType !== undefined && event.actor.type !== filter.actorType) return false;
  if (filter.resourceType !== undefined && event.resource.type !== filter.resourceType) return false;
  if (filter.resourceId !== undefined && event.resource.id !== filter.resourceId) return false;
  if (filter.action !== undefined && event.action !== filter.action) return false;
  if (filter.outcome !== undefined && (event.outcome ?? 'success') !== filter.outcome) return false;
  if (filter.channel !== undefined && event.channel !== filter.channel) return false;
  if (filter.excludeSelfAudit === true && event.context?.sourceService === SERVICE_NAME) return false;
  return true;
}

export interface AuditBatch {
  fromSequence: number;
  /** Last sequence examined: the next batch starts after it. */
  toSequence: number;
  events: StoredAuditEvent[];
}

/**
 * The next batch of a tenant's log from `fromSequence` on: up to 100 matching events in sequence order,
 * reading at most `maxScan` events. `toSequence` is the last sequence examined, so that the events of
 * [fromSequence, toSequence] matching the filter are exactly the batch (rebuilt the same after a restart).
 * Null when the log has no event at or after `fromSequence`.
 */
export async function nextAuditBatch(
  events: EventStore,
  tenantId: string,
  fromSequence: number,
  filter: AuditFeedFilter | null,
  maxScan = 10 * READ_PAGE,
  untilSequence = Number.MAX_SAFE_INTEGER,
): Promise<AuditBatch | null> {
  const batch: StoredAuditEvent[] = [];
  let next = fromSequence;
  // Read only what a batch needs; read further ahead only while the filter leaves events out.
  let pageSize = MAX_BATCH_EVENTS;
  while (next - fromSequence < maxScan && next <= untilSequence) {
    const wanted = Math.min(pageSize, untilSequence - next + 1);
    const page = await events.readStream(auditStreamOf(tenantId), { fromRevision: next, maxCount: wanted });
    if (page.length === 0) break;
    for (const recorded of page) {
      next = recorded.revision + 1;
      const event = recorded.data as unknown as StoredAuditEvent;
      if (matchesFeedFilter(event, filter)) {
        batch.push(event);
        if (batch.length === MAX_BATCH_EVENTS) return { fromSequence, toSequence: recorded.revision, events: batch };
      }
    }
    if (page.length < wanted) break;
    pageSize = Math.min(READ_PAGE, pageSize * 2);
  }
  return next === fromSequence ? null : { fromSequence, toSequence: next - 1, events: batch };
}

/** The events of an already created batch: [fromSequence, toSequence] matching `filter`. */
export async function auditBatchEvents(events: EventStore, tenantId: string, fromSequence: number, toSequence: number, filter: AuditFeedFilter | null): Promise<StoredAuditEvent[]> {
  const recorded = await events.readStream(auditStreamOf(tenantId), { fromRevision: fromSequence, maxCount: toSequence - fromSequence + 1 });
  return recorded.map((r) => r.data as unknown as StoredAuditEvent).filter((e) => matchesFeedFilter(e, filter));
}

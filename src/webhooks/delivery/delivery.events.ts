import { DomainEvent } from '../../event-sourcing/decider';
import { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import { AuditFeedFilter } from '../endpoints/webhook-endpoint';

/** Stable, versioned event types of one delivery (`webhookdelivery-<tenantId>-<deliveryId>`, ADR 020). */
export const WEBHOOK_DELIVERY_CREATED = 'WebhookDeliveryCreated.v1';
export const WEBHOOK_DELIVERY_ATTEMPTED = 'WebhookDeliveryAttempted.v1';
export const WEBHOOK_DELIVERY_RETRY_REQUESTED = 'WebhookDeliveryRetryRequested.v1';

/** The audit events a delivery carries: those of sequences [fromSequence, toSequence] that match `filter`. */
export interface AuditBatchRange {
  fromSequence: number;
  toSequence: number;
  filter: AuditFeedFilter | null;
  /** Part of the endpoint's live feed (the next batch waits for it), or of a replay. */
  feed: boolean;
  replayId: string | null;
  /** Events in the batch (1-100). */
  count: number;
  /**
   * Live feed batches: the id the feed's next batch gets if it starts right after this one. That batch's
   * creation records this one's acceptance (`accepts`), so a busy feed costs one append per batch (ADR 020).
   */
  successorId?: string | null;
}

export interface DeliveryCreatedData {
  tenantId: string;
  webhookId: string;
  /** Also the `webhook-id` header of every attempt. */
  deliveryId: string;
  eventType: string;
  /** The body's `timestamp` (ISO-8601), fixed at creation so that every attempt sends the same body. */
  createdAt: string;
  /** The body's `data`, except for audit.events (rebuilt from the log: see `audit`). */
  data: JsonObject | null;
  audit: AuditBatchRange | null;
  by: string;
  /** When the first attempt is due. */
  firstAttemptAt: string;
  /** The accepted attempt of the feed's previous batch, recorded here instead of in that batch's own stream. */
  accepts?: DeliveryAttemptData | null;
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed' | 'gone' | 'skipped';

export interface DeliveryAttemptData {
  tenantId: string;
  deliveryId: string;
  attempt: number;
  at: string;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  outcome: AttemptOutcome;
  nextAttemptAt: string | null;
}

export type WebhookDeliveryCreated = DomainEvent<typeof WEBHOOK_DELIVERY_CREATED, DeliveryCreatedData>;
export type WebhookDeliveryAttempted = DomainEvent<typeof WEBHOOK_DELIVERY_ATTEMPTED, DeliveryAttemptData>;
export type WebhookDeliveryRetryRequested = DomainEvent<typeof WEBHOOK_DELIVERY_RETRY_REQUESTED, { tenantId: string; deliveryId: string; by: string; at: string }>;
export type DeliveryEvent = WebhookDeliveryCreated | WebhookDeliveryAttempted | WebhookDeliveryRetryRequested;

const TYPES: ReadonlySet<string> = new Set([WEBHOOK_DELIVERY_CREATED, WEBHOOK_DELIVERY_ATTEMPTED, WEBHOOK_DELIVERY_RETRY_REQUESTED]);

export function isDeliveryEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

export function decodeDeliveryEvent(recorded: RecordedEvent): DeliveryEvent {
  if (!isDeliveryEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in delivery stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as DeliveryEvent;
}

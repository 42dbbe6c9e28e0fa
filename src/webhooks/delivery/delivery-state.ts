import { createHash, randomBytes } from 'node:crypto';
import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { SendResult } from './webhook-sender';
import {
  AttemptOutcome,
  DeliveryAttemptData,
  DeliveryCreatedData,
  DeliveryEvent,
  WEBHOOK_DELIVERY_ATTEMPTED,
  WEBHOOK_DELIVERY_CREATED,
  WEBHOOK_DELIVERY_RETRY_REQUESTED,
} from './delivery.events';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryState {
  created: DeliveryCreatedData;
  status: DeliveryStatus;
  attempts: DeliveryAttemptData[];
  /** Attempts since creation or the last manual retry: the position in the retry schedule. */
  roundAttempts: number;
  nextAttemptAt: string | null;
  /** Revision of the stream's last event (expected revision of the next append). */
  revision: number;
}

/** Delivery ids are the `webhook-id` header: `msg_` + 24 hex digits (valid in stream ids). */
export const DELIVERY_ID_PATTERN = /^msg_[0-9a-f]{24}$/;

export function newDeliveryId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/** The same facts always give the same id (idempotent publishing: a second creation is refused by the stream). */
export function deterministicDeliveryId(...parts: string[]): string {
  return `msg_${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24)}`;
}

export function deliveryStreamOf(tenantId: string, deliveryId: string): string {
  if (!DELIVERY_ID_PATTERN.test(deliveryId)) throw new Error(`Invalid delivery id "${deliveryId}"`);
  return aggregateStreamOf('webhookdelivery', tenantId, deliveryId);
}

export const DELIVERY_STREAM_PREFIX = aggregateStreamPrefix('webhookdelivery');

/** Folds a delivery's events (the first must be its creation). */
export function deliveryStateOf(events: readonly DeliveryEvent[]): DeliveryState {
  let state: DeliveryState | null = null;
  events.forEach((event, revision) => {
    state = evolveDelivery(state, event, revision);
  });
  if (!state) throw new Error('a delivery stream starts with its creation');
  return state;
}

export function evolveDelivery(state: DeliveryState | null, event: DeliveryEvent, revision: number): DeliveryState {
  switch (event.type) {
    case WEBHOOK_DELIVERY_CREATED:
      return { created: event.data, status: 'pending', attempts: [], roundAttempts: 0, nextAttemptAt: event.data.firstAttemptAt, revision };
    case WEBHOOK_DELIVERY_ATTEMPTED: {
      if (!state) throw new Error('attempt before creation');
      const { outcome } = event.data;
      const status: DeliveryStatus = outcome === 'delivered' ? 'delivered' : outcome === 'retrying' ? 'pending' : 'failed';
      return { ...state, status, attempts: [...state.attempts, event.data], roundAttempts: state.roundAttempts + 1, nextAttemptAt: event.data.nextAttemptAt, revision };
    }
    case WEBHOOK_DELIVERY_RETRY_REQUESTED:
      if (!state) throw new Error('retry before creation');
      return { ...state, status: 'pending', roundAttempts: 0, nextAttemptAt: event.data.at, revision };
    default: {
      const unknown: never = event;
      throw new Error(`Unknown delivery event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Random extra delay of a retry, as a fraction of its scheduled delay (retries of many endpoints spread out). */
export const RETRY_JITTER = 0.1;

/**
 * What an attempt's result means (ARCHITECTURE §9): 2xx delivered; 410 gone (the endpoint is disabled);
 * otherwise the next delay of the schedule, at least the receiver's Retry-After (capped at the schedule's
 * longest delay), plus up to 10 % jitter; past the schedule's end, failed.
 */
export function attemptOutcome(
  result: Pick<SendResult, 'status' | 'retryAfterMs'>,
  roundAttemptsBefore: number,
  scheduleMs: readonly number[],
  now: number,
  random: () => number = Math.random,
): { outcome: AttemptOutcome; nextAttemptAt: string | null } {
  if (result.status !== null && result.status >= 200 && result.status < 300) return { outcome: 'delivered', nextAttemptAt: null };
  if (result.status === 410) return { outcome: 'gone', nextAttemptAt: null };
  const next = roundAttemptsBefore + 1;
  if (next >= scheduleMs.length) return { outcome: 'failed', nextAttemptAt: null };
  const longest = Math.max(...scheduleMs);
  let delay = scheduleMs[next] * (1 + RETRY_JITTER * random());
  if (result.retryAfterMs !== null) delay = Math.max(delay, Math.min(result.retryAfterMs, longest));
  return { outcome: 'retrying', nextAttemptAt: new Date(now + Math.round(delay)).toISOString() };
}


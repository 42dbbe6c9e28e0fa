import { JsonObject } from '../event-store/event-store.port';

/**
 * What other modules hand to the webhook dispatcher (ARCHITECTURE §9). Alert and audit-event deliveries
 * are derived by the webhooks module itself; this port is for facts only their producer knows.
 */
export const WEBHOOK_EVENTS = Symbol('WEBHOOK_EVENTS');

export type PublishedWebhookEventType = 'report.ready' | 'integrity.checkpoint';

export interface WebhookEventDraft {
  type: PublishedWebhookEventType;
  /** The `data` member of the delivered body. */
  data: JsonObject;
  /** Idempotency: the same key for a tenant and type yields the same deliveries (and `webhook-id`s). */
  key: string;
  /** Only these endpoints (still only if they subscribe to `type`); all subscribed endpoints when absent. */
  endpointIds?: string[];
}

export interface WebhookEvents {
  /** Resolves once the deliveries are persisted (they are attempted afterwards, with retries). */
  publish(tenantId: string, draft: WebhookEventDraft): Promise<void>;
}

import { DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { WebhookEndpoint } from './webhook-endpoint';

/** Stable, versioned event types of the webhook endpoint aggregate (`webhook-<tenantId>-<id>`). */
export const WEBHOOK_CREATED = 'WebhookCreated.v1';
export const WEBHOOK_UPDATED = 'WebhookUpdated.v1';
export const WEBHOOK_SECRET_ROTATED = 'WebhookSecretRotated.v1';
/** The service disabled the endpoint (its receiver answered 410 Gone). */
export const WEBHOOK_DISABLED = 'WebhookDisabled.v1';
export const WEBHOOK_DELETED = 'WebhookDeleted.v1';

interface WebhookFacts {
  tenantId: string;
  webhookId: string;
  /** Who (token `sub`, or `system`) and when (ISO-8601 UTC). */
  by: string;
  at: string;
}

/** Every change but deletion carries the whole endpoint after it; its secrets only sealed. */
type WithEndpoint = WebhookFacts & { endpoint: WebhookEndpoint };
export type WebhookCreated = DomainEvent<typeof WEBHOOK_CREATED, WithEndpoint>;
export type WebhookUpdated = DomainEvent<typeof WEBHOOK_UPDATED, WithEndpoint>;
export type WebhookSecretRotated = DomainEvent<typeof WEBHOOK_SECRET_ROTATED, WithEndpoint>;
export type WebhookDisabled = DomainEvent<typeof WEBHOOK_DISABLED, WithEndpoint & { reason: string }>;
export type WebhookDeleted = DomainEvent<typeof WEBHOOK_DELETED, WebhookFacts & { version: number }>;
export type WebhookEvent = WebhookCreated | WebhookUpdated | WebhookSecretRotated | WebhookDisabled | WebhookDeleted;

const TYPES: ReadonlySet<string> = new Set([WEBHOOK_CREATED, WEBHOOK_UPDATED, WEBHOOK_SECRET_ROTATED, WEBHOOK_DISABLED, WEBHOOK_DELETED]);

export function isWebhookEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

/** A recorded event of a webhook stream; an unknown type is an error, never skipped silently. */
export function decodeWebhookEvent(recorded: RecordedEvent): WebhookEvent {
  if (!isWebhookEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in webhook stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as WebhookEvent;
}

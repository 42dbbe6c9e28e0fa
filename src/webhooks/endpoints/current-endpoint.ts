import { EventStore } from '../../event-store/event-store.port';
import { stateOfStream } from '../../event-sourcing/decider-stream';
import { WebhookEndpoint } from './webhook-endpoint';
import { webhookDecider } from './webhook.decider';
import { decodeWebhookEvent } from './webhook.events';
import { webhookStreamOf } from './webhook-stream';

/**
 * The endpoint as its stream says now, or null when absent or deleted. Reads of one endpoint that act
 * on it (a delivery attempt, the test send, the detail right after a change) use this rather than the
 * read model, which may lag behind a change that was already answered.
 */
export async function currentEndpointOf(events: EventStore, tenantId: string, webhookId: string): Promise<WebhookEndpoint | null> {
  const state = await stateOfStream(events, webhookStreamOf(tenantId, webhookId), webhookDecider(webhookId), decodeWebhookEvent);
  return state.status === 'active' ? state.endpoint : null;
}

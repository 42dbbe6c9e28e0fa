import { aggregateStreamOf, aggregateStreamPrefix } from '../../event-store/stream-names';
import { WEBHOOK_ID_PATTERN } from './webhook-endpoint';

/** `webhook-<tenantId>-<webhookId>` (ids are `wh_<hex>`, valid stream ids as they are). */
export function webhookStreamOf(tenantId: string, webhookId: string): string {
  if (!WEBHOOK_ID_PATTERN.test(webhookId)) throw new Error(`Invalid webhook id "${webhookId}"`);
  return aggregateStreamOf('webhook', tenantId, webhookId);
}

export const WEBHOOK_STREAM_PREFIX = aggregateStreamPrefix('webhook');

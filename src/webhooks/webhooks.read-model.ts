import { CollectionDefinition } from '../read-store/read-store.port';
import { DeliveryStatus } from './delivery/delivery-state';
import { AuditBatchRange, DeliveryAttemptData } from './delivery/delivery.events';
import { WebhookEndpoint } from './endpoints/webhook-endpoint';

/** Read models of the webhooks module (ADR 020): endpoints and the delivery log. */
export const WEBHOOKS_PROJECTION = 'webhooks';
export const WEBHOOK_ENDPOINTS = 'webhook_endpoints';
export const WEBHOOK_DELIVERIES = 'webhook_deliveries';

export interface WebhookEndpointDocument {
  /** `<tenantId>/<webhookId>`. */
  id: string;
  tenantId: string;
  webhookId: string;
  enabled: boolean;
  streamsAuditEvents: boolean;
  /** Secrets only sealed (ADR 020). */
  endpoint: WebhookEndpoint;
}

export interface WebhookDeliveryDocument {
  /** `<tenantId>/<deliveryId>`. */
  id: string;
  tenantId: string;
  webhookId: string;
  deliveryId: string;
  eventType: string;
  status: DeliveryStatus;
  createdAt: string;
  /** createdAt + '|' + deliveryId: newest-first order and cursor key. */
  sortKey: string;
  /** 1 when the delivery is a batch of the endpoint's live audit.events feed, else 0. */
  feed: number;
  /** For audit.events: the first sequence the batch covers (feed order), else -1. */
  fromSequence: number;
  audit: AuditBatchRange | null;
  attempts: DeliveryAttemptData[];
  nextAttemptAt: string | null;
}

export function endpointDocumentId(tenantId: string, webhookId: string): string {
  return `${tenantId}/${webhookId}`;
}

export const deliveryDocumentId = endpointDocumentId;

export const WEBHOOK_ENDPOINTS_COLLECTION: CollectionDefinition = {
  name: WEBHOOK_ENDPOINTS,
  fields: { tenantId: 'string', webhookId: 'string', enabled: 'boolean', streamsAuditEvents: 'boolean', 'endpoint.createdAt': 'string' },
  indexes: [
    { name: 'by_tenant', keys: [['tenantId', 1], ['endpoint.createdAt', 1]] },
    { name: 'by_feed', keys: [['streamsAuditEvents', 1], ['enabled', 1]] },
  ],
};

export const WEBHOOK_DELIVERIES_COLLECTION: CollectionDefinition = {
  name: WEBHOOK_DELIVERIES,
  fields: { tenantId: 'string', webhookId: 'string', status: 'string', sortKey: 'string', feed: 'number', fromSequence: 'number' },
  indexes: [
    { name: 'by_webhook', keys: [['tenantId', 1], ['webhookId', 1], ['sortKey', -1]] },
    { name: 'by_status', keys: [['status', 1]] },
    { name: 'by_feed', keys: [['tenantId', 1], ['webhookId', 1], ['feed', 1], ['fromSequence', -1]] },
  ],
};

/** Attempts kept per delivery in the log (the event stream keeps all). */
export const MAX_LOGGED_ATTEMPTS = 100;

import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { DELIVERY_STREAM_PREFIX } from './delivery/delivery-state';
import { decodeDeliveryEvent, DeliveryAttemptData, isDeliveryEvent, WEBHOOK_DELIVERY_ATTEMPTED, WEBHOOK_DELIVERY_CREATED, WEBHOOK_DELIVERY_RETRY_REQUESTED } from './delivery/delivery.events';
import { WEBHOOK_STREAM_PREFIX } from './endpoints/webhook-stream';
import { decodeWebhookEvent, isWebhookEvent, WEBHOOK_DELETED } from './endpoints/webhook.events';
import {
  deliveryDocumentId,
  endpointDocumentId,
  MAX_LOGGED_ATTEMPTS,
  WEBHOOK_DELIVERIES,
  WEBHOOK_DELIVERIES_COLLECTION,
  WEBHOOK_ENDPOINTS,
  WEBHOOK_ENDPOINTS_COLLECTION,
  WEBHOOKS_PROJECTION,
  WebhookDeliveryDocument,
  WebhookEndpointDocument,
} from './webhooks.read-model';

/** Endpoints as their last event left them, and one delivery-log document per delivery. */
@ReadModelProjection()
@Injectable()
export class WebhooksProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: WEBHOOKS_PROJECTION, version: 1, collections: [WEBHOOK_ENDPOINTS_COLLECTION, WEBHOOK_DELIVERIES_COLLECTION] };
  readonly streamPrefixes = [WEBHOOK_STREAM_PREFIX, DELIVERY_STREAM_PREFIX];
  /** Each delivery is its own stream and document. */
  readonly afterParked = 'continue-stream' as const;

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (isWebhookEvent(recorded)) {
      const event = decodeWebhookEvent(recorded);
      const id = endpointDocumentId(event.data.tenantId, event.data.webhookId);
      if (event.type === WEBHOOK_DELETED) return writer.delete(WEBHOOK_ENDPOINTS, id);
      const { endpoint } = event.data;
      const doc: WebhookEndpointDocument = { id, tenantId: event.data.tenantId, webhookId: endpoint.id, enabled: endpoint.enabled, streamsAuditEvents: endpoint.eventTypes.includes('audit.events'), endpoint };
      return writer.put(WEBHOOK_ENDPOINTS, doc);
    }
    if (!isDeliveryEvent(recorded)) return;
    const event = decodeDeliveryEvent(recorded);
    const id = deliveryDocumentId(event.data.tenantId, event.data.deliveryId);
    switch (event.type) {
      case WEBHOOK_DELIVERY_CREATED: {
        const created = event.data;
        const doc: WebhookDeliveryDocument = {
          id,
          tenantId: created.tenantId,
          webhookId: created.webhookId,
          deliveryId: created.deliveryId,
          eventType: created.eventType,
          status: 'pending',
          createdAt: created.createdAt,
          sortKey: `${created.createdAt}|${created.deliveryId}`,
          feed: created.audit?.feed ? 1 : 0,
          fromSequence: created.audit?.fromSequence ?? -1,
          audit: created.audit,
          attempts: [],
          nextAttemptAt: created.firstAttemptAt,
        };
        writer.put(WEBHOOK_DELIVERIES, doc);
        // A feed batch's creation records the acceptance of the feed's previous batch (ADR 020).
        if (created.accepts) await this.applyAttempt(writer, deliveryDocumentId(created.tenantId, created.accepts.deliveryId), created.accepts);
        return;
      }
      case WEBHOOK_DELIVERY_ATTEMPTED:
        return this.applyAttempt(writer, id, event.data);
      case WEBHOOK_DELIVERY_RETRY_REQUESTED: {
        const doc = (await writer.get(WEBHOOK_DELIVERIES, id)) as WebhookDeliveryDocument | null;
        if (!doc) return;
        return writer.put(WEBHOOK_DELIVERIES, { ...doc, status: 'pending', nextAttemptAt: event.data.at });
      }
      default: {
        const unknown: never = event;
        throw new Error(`Unknown delivery event ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async applyAttempt(writer: ProjectionWriter, id: string, attempt: DeliveryAttemptData): Promise<void> {
    const doc = (await writer.get(WEBHOOK_DELIVERIES, id)) as WebhookDeliveryDocument | null;
    if (!doc || doc.attempts.some((a) => a.attempt === attempt.attempt && a.at === attempt.at)) return;
    const { outcome } = attempt;
    writer.put(WEBHOOK_DELIVERIES, {
      ...doc,
      status: outcome === 'delivered' ? 'delivered' : outcome === 'retrying' ? 'pending' : 'failed',
      attempts: [...doc.attempts, attempt].slice(-MAX_LOGGED_ATTEMPTS),
      nextAttemptAt: attempt.nextAttemptAt,
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { deterministicDeliveryId } from './delivery/delivery-state';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import { WebhookEventDraft, WebhookEvents } from './webhook-events.port';
import { WEBHOOK_ENDPOINTS, WebhookEndpointDocument } from './webhooks.read-model';

/**
 * WEBHOOK_EVENTS for other modules (report.ready, integrity.checkpoint): one persisted delivery per
 * enabled endpoint of the tenant subscribed to the type. Delivery ids derive from (tenant, type, key,
 * endpoint), so publishing the same draft again creates nothing new.
 */
@Injectable()
export class WebhookEventsPublisher implements WebhookEvents {
  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async publish(tenantId: string, draft: WebhookEventDraft): Promise<void> {
    const docs = (await this.store.find(WEBHOOK_ENDPOINTS, { tenantId, enabled: true }, { hint: 'by_tenant' })) as unknown as WebhookEndpointDocument[];
    const targets = docs.filter((d) => d.tenantId === tenantId && d.endpoint.eventTypes.includes(draft.type) && (!draft.endpointIds || draft.endpointIds.includes(d.webhookId)));
    for (const doc of targets) {
      await this.dispatcher.create({
        tenantId,
        webhookId: doc.webhookId,
        deliveryId: deterministicDeliveryId(tenantId, draft.type, draft.key, doc.webhookId),
        eventType: draft.type,
        data: draft.data,
        audit: null,
        by: 'system',
      });
    }
  }
}

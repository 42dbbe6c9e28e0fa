import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { EVENT_STORE, EventStore, JsonObject } from '../../event-store/event-store.port';
import { AlertChange, AlertChangeCursor, AlertChangeFeed } from '../../monitoring/alerts/alert-change-feed';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { WEBHOOK_ENDPOINTS, WebhookEndpointDocument } from '../webhooks.read-model';
import { deterministicDeliveryId } from './delivery-state';
import { WebhookDispatcher } from './webhook-dispatcher';

/** Where the alert feed's reader stands (one stream for the service; not a tenant's aggregate). */
export const ALERT_CURSOR_STREAM = 'webhookcursor-alerts';
export const ALERT_CURSOR_MOVED = 'WebhookAlertCursorMoved.v1';
/** Changes read per poll. */
const PAGE = 200;

/**
 * alert.raised / alert.updated (ARCHITECTURE §9, ADR 020): follows the monitoring module's alert change
 * feed from a durable cursor and creates one persisted delivery per change and subscribed endpoint of
 * the alert's tenant. Delivery ids derive from (tenant, alert, change position, endpoint): a change read
 * twice (after a crash before the cursor moved, or a rebuild of the projection) creates nothing new.
 */
@Injectable()
export class AlertWebhooks implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private cursor: AlertChangeCursor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feed: AlertChangeFeed,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async start(): Promise<void> {
    const [last] = await this.events.readStream(ALERT_CURSOR_STREAM, { direction: 'backwards', maxCount: 1 });
    this.cursor = last ? (last.data.cursor as unknown as AlertChangeCursor) : null;
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((error: unknown) => this.logger.error({ msg: 'alert webhooks: could not read the alert change feed; retrying', error: error instanceof Error ? error.message : String(error) }))
        .then((more) => this.schedule(more ? 0 : this.config.webhooks.pollMs));
    }, ms);
    this.timer.unref();
  }

  /** One page of changes; true when there may be more right away. */
  async poll(): Promise<boolean> {
    const changes = await this.feed.readAfter(this.cursor, PAGE);
    if (changes.length === 0) return false;
    const endpointsByTenant = new Map<string, WebhookEndpointDocument[]>();
    for (const change of changes) {
      if (this.stopped) return false;
      let endpoints = endpointsByTenant.get(change.tenantId);
      if (!endpoints) {
        endpoints = ((await this.store.find(WEBHOOK_ENDPOINTS, { tenantId: change.tenantId, enabled: true }, { hint: 'by_tenant' })) as unknown as WebhookEndpointDocument[]).filter((d) => d.tenantId === change.tenantId);
        endpointsByTenant.set(change.tenantId, endpoints);
      }
      await this.deliver(change, endpoints);
    }
    const last = changes[changes.length - 1];
    this.cursor = { position: last.position, alertId: last.alertId };
    await this.events.append(ALERT_CURSOR_STREAM, [{ id: randomUUID(), type: ALERT_CURSOR_MOVED, data: { cursor: { ...this.cursor } } }], 'any');
    return changes.length === PAGE;
  }

  private async deliver(change: AlertChange, endpoints: WebhookEndpointDocument[]): Promise<void> {
    const type = change.kind === 'raised' ? 'alert.raised' : 'alert.updated';
    for (const doc of endpoints) {
      if (!doc.endpoint.eventTypes.includes(type)) continue;
      await this.dispatcher.create({
        tenantId: change.tenantId,
        webhookId: doc.webhookId,
        deliveryId: deterministicDeliveryId(change.tenantId, 'alert', change.alertId, change.position, doc.webhookId),
        eventType: type,
        data: { alert: change.alert as unknown as JsonObject },
        audit: null,
        by: 'system',
      });
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { WEBHOOK_STREAM_PREFIX } from '../endpoints/webhook-stream';
import { WEBHOOK_DELIVERIES, WEBHOOKS_PROJECTION, WebhookDeliveryDocument } from '../webhooks.read-model';
import { AlertWebhooks } from './alert-webhooks';
import { AuditFeeds } from './audit-feeds';
import { DELIVERY_STREAM_PREFIX } from './delivery-state';
import { WebhookDispatcher } from './webhook-dispatcher';

const PAGE = 500;
/** How long the start waits for the delivery log to catch up with the event store before resuming anyway. */
const CATCH_UP_MS = 60_000;
const CATCH_UP_STEP_MS = 250;

/**
 * At start: once the webhooks read model has caught up with the log, every pending delivery is picked
 * up again, the audit.events feeds start and alert changes are followed. In the background: the HTTP server does not wait for it.
 */
@Injectable()
export class WebhookStartup implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private starting: Promise<void> | null = null;
  private stopped = false;
  /** Resolves when pending deliveries are resumed and feeds run (tests). */
  ready: Promise<void> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
    private readonly dispatcher: WebhookDispatcher,
    private readonly feeds: AuditFeeds,
    private readonly alerts: AlertWebhooks,
  ) {}

  onApplicationBootstrap(): void {
    this.ready = this.starting = this.start().catch((error: unknown) => {
      this.logger.error({ msg: 'webhooks could not resume pending deliveries', error: error instanceof Error ? error.message : String(error) });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.starting;
  }

  private async start(): Promise<void> {
    const head = await this.events.headPosition({ streamPrefixes: [WEBHOOK_STREAM_PREFIX, DELIVERY_STREAM_PREFIX] });
    if (head !== null) {
      // In short steps, so that a shutdown (or a command-line tool that never starts projections) is not held up.
      let caughtUp = false;
      for (let waited = 0; !caughtUp && !this.stopped && waited < CATCH_UP_MS; waited += CATCH_UP_STEP_MS) {
        caughtUp = await this.projections.runner(WEBHOOKS_PROJECTION).waitFor(head, CATCH_UP_STEP_MS);
      }
      if (this.stopped) return;
      if (!caughtUp) this.logger.warn({ msg: 'webhooks read model is behind the log; resuming the deliveries it shows' });
    }
    let resumed = 0;
    let after = '';
    while (!this.stopped) {
      const page = (await this.store.find(WEBHOOK_DELIVERIES, { status: 'pending', id: { $gt: after } }, { sort: [['id', 1]], limit: PAGE })) as unknown as WebhookDeliveryDocument[];
      for (const doc of page) {
        await this.dispatcher.resume(doc.tenantId, doc.deliveryId);
        resumed++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].id;
    }
    if (this.stopped) return;
    if (resumed > 0) this.logger.log({ msg: 'webhooks: resumed pending deliveries', count: resumed });
    this.feeds.start();
    await this.alerts.start();
  }
}

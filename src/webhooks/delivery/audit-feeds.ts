import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/app-config.token';
import { AuditStreamWriter } from '../../audit-log/record-audit-events/audit-stream-writer';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AuditFeedFilter, WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { endpointDocumentId, WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WebhookDeliveryDocument, WebhookEndpointDocument } from '../webhooks.read-model';
import { nextAuditBatch } from './audit-batches';
import { deterministicDeliveryId } from './delivery-state';
import { WebhookDispatcher } from './webhook-dispatcher';

type Wake = () => void;

/** A batch the feed sent and that was accepted. */
export interface Sent {
  deliveryId: string | null;
  successorId: string | null;
  /** Where the next batch starts. */
  next: number;
}

type AcceptedBatch = Sent & { deliveryId: string };

/**
 * The audit.events feeds (ARCHITECTURE §9, ADR 020): per endpoint, batches of 1-100 stored events in
 * sequence order, each created (persisted) only after the previous one was accepted. The feed's place
 * is its last batch: after a restart it resumes after the last accepted batch (or re-sends the pending
 * one, same `webhook-id`). A failed batch blocks its feed until a retry delivers it: order is never broken.
 */
@Injectable()
export class AuditFeeds implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly running = new Map<string, Promise<void>>();
  private readonly sleepers = new Map<string, Set<Wake>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly onAppended = (tenantId: string) => this.wake(tenantId);

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dispatcher: WebhookDispatcher,
    private readonly auditWriter: AuditStreamWriter,
  ) {}

  /** Starts following the endpoints that stream audit.events (call once the delivery log is current). */
  start(): void {
    this.auditWriter.appended.on('appended', this.onAppended);
    const tick = () => {
      this.timer = null;
      void this.sync()
        .catch((error: unknown) => this.logger.error({ msg: 'audit.events feeds: could not list endpoints', error: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, this.config.webhooks.pollMs);
          this.timer.unref();
        });
    };
    tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.auditWriter.appended.off('appended', this.onAppended);
    if (this.timer) clearTimeout(this.timer);
    this.sleepers.forEach((wakes) => wakes.forEach((wake) => wake()));
    await Promise.allSettled([...this.running.values()]);
  }

  private async sync(): Promise<void> {
    const docs = (await this.store.find(WEBHOOK_ENDPOINTS, { streamsAuditEvents: true, enabled: true }, { hint: 'by_feed' })) as unknown as WebhookEndpointDocument[];
    for (const doc of docs) {
      if (this.stopped || this.running.has(doc.id)) continue;
      const run = this.follow(doc.tenantId, doc.webhookId)
        .catch((error: unknown) => this.logger.error({ msg: 'audit.events feed stopped by an error; it restarts', tenantId: doc.tenantId, webhookId: doc.webhookId, error: error instanceof Error ? error.message : String(error) }))
        .finally(() => this.running.delete(doc.id));
      this.running.set(doc.id, run);
    }
  }

  private wake(tenantId: string): void {
    const wakes = this.sleepers.get(tenantId);
    if (!wakes) return;
    this.sleepers.delete(tenantId);
    wakes.forEach((wake) => wake());
  }

  /** Until new events arrive in the tenant's log (this process), or the poll interval passes (others). */
  private sleep(tenantId: string, ms = this.config.webhooks.pollMs): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let wakes = this.sleepers.get(tenantId);
      if (!wakes) this.sleepers.set(tenantId, (wakes = new Set()));
      const wake = () => {
        clearTimeout(timer);
        wakes!.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      wakes.add(wake);
    });
  }

  private async endpointOf(tenantId: string, webhookId: string): Promise<WebhookEndpoint | null> {
    const doc = (await this.store.findById(WEBHOOK_ENDPOINTS, endpointDocumentId(tenantId, webhookId))) as WebhookEndpointDocument | null;
    return doc && doc.tenantId === tenantId && doc.enabled && doc.streamsAuditEvents ? doc.endpoint : null;
  }

  /** One endpoint's live feed, while it is enabled and subscribed. */
  private async follow(tenantId: string, webhookId: string): Promise<void> {
    let endpoint = await this.endpointOf(tenantId, webhookId);
    if (!endpoint) return;
    let cursor = endpoint.auditFeedFrom ?? 0;
    // The last accepted batch whose acceptance is not recorded yet (the next batch's creation carries it).
    let previous: AcceptedBatch | null = null;
    try {
      const [last] = (await this.store.find(WEBHOOK_DELIVERIES, { tenantId, webhookId, feed: 1 }, { sort: [['fromSequence', -1]], limit: 1, hint: 'by_feed' })) as unknown as WebhookDeliveryDocument[];
      if (last?.audit && last.audit.toSequence >= cursor) {
        if (!(await this.accepted(tenantId, webhookId, last.deliveryId))) return;
        cursor = last.audit.toSequence + 1;
        previous = { deliveryId: last.deliveryId, successorId: last.audit.successorId ?? null, next: cursor };
      }
      while (!this.stopped) {
        endpoint = await this.endpointOf(tenantId, webhookId);
        if (!endpoint) return;
        cursor = Math.max(cursor, endpoint.auditFeedFrom ?? 0);
        const sent = await this.sendNext(tenantId, endpoint, cursor, { filter: endpoint.filter, feed: true, replayId: null, idParts: ['feed', String(endpoint.auditFeedFrom)] }, previous);
        if (sent === 'stopped') return;
        if (sent === null) {
          // Idle: record the last acceptance on its own before waiting.
          if (previous) await this.dispatcher.recordAcceptance(previous.deliveryId);
          previous = null;
          await this.sleep(tenantId);
          continue;
        }
        cursor = sent.next;
        if (sent.deliveryId) previous = sent as AcceptedBatch;
      }
    } finally {
      if (previous) await this.dispatcher.recordAcceptance(previous.deliveryId).catch(() => undefined);
    }
  }

  /**
   * Creates the batch starting at `cursor` and waits until it is accepted. Returns where the next batch
   * starts (and the batch sent, if it had events), null when the log has nothing at `cursor` yet, or `stopped`.
   * `previous`: the feed's last accepted batch; its acceptance is recorded with this batch's creation when
   * this batch is its successor, else on its own first.
   */
  async sendNext(
    tenantId: string,
    endpoint: WebhookEndpoint,
    cursor: number,
    batchOf: { filter: AuditFeedFilter | null; feed: boolean; replayId: string | null; idParts: string[]; untilSequence?: number },
    previous: AcceptedBatch | null = null,
  ): Promise<Sent | null | 'stopped'> {
    const batch = await nextAuditBatch(this.events, tenantId, cursor, batchOf.filter, undefined, batchOf.untilSequence);
    if (!batch) return null;
    if (batch.events.length === 0) {
      if (previous) await this.dispatcher.recordAcceptance(previous.deliveryId);
      return { deliveryId: null, successorId: null, next: batch.toSequence + 1 };
    }
    const idOf = (fromSequence: number) => deterministicDeliveryId(tenantId, endpoint.id, ...batchOf.idParts, String(fromSequence));
    const deliveryId = idOf(batch.fromSequence);
    let accepts = null;
    if (previous) {
      if (previous.successorId === deliveryId) accepts = this.dispatcher.acceptanceOf(previous.deliveryId);
      else await this.dispatcher.recordAcceptance(previous.deliveryId);
    }
    const successorId = batchOf.feed ? idOf(batch.toSequence + 1) : null;
    const created = await this.dispatcher.create(
      {
        tenantId,
        webhookId: endpoint.id,
        deliveryId,
        eventType: 'audit.events',
        data: null,
        audit: { fromSequence: batch.fromSequence, toSequence: batch.toSequence, filter: batchOf.filter, feed: batchOf.feed, replayId: batchOf.replayId, count: batch.events.length, successorId },
        by: 'system',
        accepts,
      },
      batch.events,
    );
    if (previous && accepts) {
      if (created) this.dispatcher.acceptanceRecorded(previous.deliveryId);
      else await this.dispatcher.recordAcceptance(previous.deliveryId);
    }
    return (await this.accepted(tenantId, endpoint.id, deliveryId)) ? { deliveryId, successorId, next: batch.toSequence + 1 } : 'stopped';
  }

  /** Waits until the delivery is delivered (true), through retries and manual retries; false once stopped or the endpoint is off. */
  private async accepted(tenantId: string, webhookId: string, deliveryId: string): Promise<boolean> {
    for (;;) {
      if (this.stopped || this.dispatcher.isStopped) return false;
      if (this.dispatcher.isTracked(deliveryId)) {
        if ((await this.dispatcher.whenSettled(deliveryId)) === 'delivered') return true;
        continue;
      }
      const state = await this.dispatcher.load(tenantId, deliveryId);
      if (!state) return false;
      if (state.status === 'delivered') return true;
      if (state.status === 'pending') {
        await this.dispatcher.resume(tenantId, deliveryId);
        continue;
      }
      // Failed: the feed waits here until someone retries this batch (POST .../retry) and it is delivered.
      if (!(await this.endpointOf(tenantId, webhookId))) return false;
      await this.sleep(`blocked:${tenantId}`, this.config.webhooks.pollMs * 4);
    }
  }

  /** The tenant log's last sequence (replays end there). */
  async headSequence(tenantId: string): Promise<number> {
    const [last] = await this.events.readStream(auditStreamOf(tenantId), { direction: 'backwards', maxCount: 1 });
    return last ? last.revision : -1;
  }
}

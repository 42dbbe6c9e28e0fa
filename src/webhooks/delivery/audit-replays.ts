import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AuditFeedFilter, WebhookEndpoint } from '../endpoints/webhook-endpoint';
import { AuditFeeds } from './audit-feeds';

/** The endpoint's filter narrowed to occurredAt in [from, to); null when nothing can match. */
export function replayFilterOf(filter: AuditFeedFilter | null, range: { from: string; to: string }): AuditFeedFilter | null {
  const from = filter?.from && filter.from > range.from ? filter.from : range.from;
  const to = filter?.to && filter.to < range.to ? filter.to : range.to;
  return from < to ? { ...(filter ?? {}), from, to } : null;
}

/**
 * Replays of a time range for audit.events (ADR 020): the tenant's log, from its start up to its head
 * when the replay was asked for, sent as new deliveries (their own `webhook-id`s, `data.replayId`) in
 * sequence order, each after the previous one was accepted. They run beside the live feed. A replay
 * that a restart interrupts does not resume: its deliveries so far are in the log; ask again.
 */
@Injectable()
export class AuditReplays implements OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly feeds: AuditFeeds) {}

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  start(tenantId: string, endpoint: WebhookEndpoint, replayId: string, range: { from: string; to: string }, by: string): void {
    const filter = replayFilterOf(endpoint.filter, range);
    if (!filter) return;
    const run = this.run(tenantId, endpoint, replayId, filter)
      .then((batches) => this.logger.log({ msg: 'webhook replay finished', tenantId, webhookId: endpoint.id, replayId, by, batches }))
      .catch((error: unknown) => this.logger.error({ msg: 'webhook replay stopped by an error', tenantId, webhookId: endpoint.id, replayId, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async run(tenantId: string, endpoint: WebhookEndpoint, replayId: string, filter: AuditFeedFilter): Promise<number> {
    const until = await this.feeds.headSequence(tenantId);
    let cursor = 0;
    let batches = 0;
    while (!this.stopped && cursor <= until) {
      const next = await this.feeds.sendNext(tenantId, endpoint, cursor, { filter, feed: false, replayId, idParts: ['replay', replayId], untilSequence: until });
      if (next === null || next === 'stopped') break;
      if (next.deliveryId) batches++;
      cursor = next.next;
    }
    return batches;
  }
}

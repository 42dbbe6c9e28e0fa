import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.token';
import { AppConfig } from '../config/app-config';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { WriteTurns } from '../read-limits/write-turns';
import { TenantFanOut } from '../streaming/tenant-fan-out';
import { encodeNotificationCursor, readerAddresses } from './notification';
import { InboxEntry, NotificationInbox, Reader } from './notification-inbox';
import { InboxDocument, NOTIFICATIONS_PROJECTION } from './notifications.read-model';

/** Inbox documents read per round, for a tenant's shared reader and for a stream catching up. */
const BATCH = 100;
/** Longest wait for a commit of the notification projection before looking again. */
const WAKE_MS = 1000;
export const NOTIFICATION_HEARTBEAT_MS = 15_000;

/** One notification stream (an SSE connection) as the hub sees it. */
export interface NotificationSubscriber {
  readonly reader: Reader;
  /** sortKey of the last notification this subscriber was given or looked past (null: none yet). */
  cursor: string | null;
  write(frames: string | Buffer): void;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  end(lastFrame?: string): void;
}

interface Follower {
  subscriber: NotificationSubscriber;
  addresses: Set<string>;
  /** Streams with equal keys (same `sub`, same addresses) are shown the same notifications, with the same read state. */
  readerKey: string;
  done: () => void;
}

interface TenantTail {
  tenantId: string;
  /** sortKey of the newest inbox document read for the tenant (null: none yet). */
  cursor: string | null;
  followers: Set<Follower>;
}

/** The batch's notifications addressed to one of `addresses` and published after `after`, each once. */
function addressedTo(docs: InboxDocument[], addresses: Set<string>, after: string | null): InboxDocument[] {
  const seen = new Set<string>();
  return docs.filter((doc) => {
    if ((after !== null && doc.sortKey <= after) || !addresses.has(doc.address) || seen.has(doc.notificationId)) return false;
    seen.add(doc.notificationId);
    return true;
  });
}

export function notificationFrame(entry: InboxEntry): string {
  return `id: ${encodeNotificationCursor(entry.sortKey)}\nevent: notification\ndata: ${JSON.stringify(entry.view)}\n\n`;
}

/**
 * One fan-out for every notification stream (issue 8 item 9, as ADR 021 for the audit log): per tenant
 * with open streams, one loop reads what the notification projection published, for every address at
 * once, and hands each stream the notifications addressed to its reader, with the reader's read state
 * (two queries per round for all readers). A stream that opens behind (Last-Event-ID) catches up on
 * its own reads and joins without a gap or a repeat. A client with `maxBufferedBytes` unread is ended
 * with the Last-Event-ID to resume from.
 */
@Injectable()
export class NotificationTailHub extends TenantFanOut<Follower, TenantTail> {
  private readonly logger = new Logger('NotificationStreams');
  private readonly maxBufferedBytes: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly inbox: NotificationInbox,
    private readonly projections: ProjectionRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.maxBufferedBytes = config.streams.maxBufferedBytes;
    this.heartbeat = setInterval(() => this.beat(), NOTIFICATION_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Streams the reader's notifications after `subscriber.cursor` until `closed` or the hub ends it. */
  async follow(subscriber: NotificationSubscriber, closed: Promise<void>): Promise<void> {
    let gone = false;
    void closed.then(() => (gone = true));
    const { reader } = subscriber;
    const tail = await this.tailOf(reader.tenantId);
    // Catch up on its own reads, bounded by the shared cursor (which may move meanwhile), until level with it.
    while (!gone && tail.cursor !== null && (subscriber.cursor === null || subscriber.cursor < tail.cursor)) {
      const { items, lastSortKey } = await this.inbox.publishedBetween(reader, subscriber.cursor, tail.cursor, BATCH);
      if (items.length > 0) subscriber.write(items.map(notificationFrame).join(''));
      subscriber.cursor = lastSortKey;
    }
    if (gone || this.closed) return;
    // No await between the check above and joining: the shared reader hands it only what follows.
    await new Promise<void>((resolve) => {
      const addresses = readerAddresses(reader.subject, reader.roles);
      const follower: Follower = { subscriber, addresses: new Set(addresses), readerKey: JSON.stringify([reader.subject, ...addresses.sort()]), done: resolve };
      tail.followers.add(follower);
      void closed.then(() => this.leave(tail, follower));
    });
  }

  override onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    super.onApplicationShutdown();
  }

  protected async createTail(tenantId: string): Promise<TenantTail> {
    return { tenantId, cursor: await this.inbox.tenantNewestSortKey(tenantId), followers: new Set() };
  }

  protected async round(tail: TenantTail): Promise<void> {
    const runner = this.projections.runner(NOTIFICATIONS_PROJECTION);
    // Read before the query: a commit that lands while it runs is then seen below, not waited for.
    const checkpoint = runner.status().checkpoint;
    const docs = await this.inbox.tenantPublishedAfter(tail.tenantId, tail.cursor, BATCH);
    if (docs.length > 0) return this.dispatch(tail, docs);
    if (runner.status().checkpoint !== checkpoint) return;
    await runner.nextCommit(WAKE_MS);
  }

  protected failed(tail: TenantTail, error: unknown): string {
    this.logger.error({ msg: 'notification streams of a tenant failed: connections closed', tenantId: tail.tenantId, error: error instanceof Error ? error.message : String(error) });
    return '';
  }

  /**
   * Each follower's notifications of the batch (each notification once). Streams of the same reader
   * share one selection, one read state and one buffer; read states are fetched once for all readers;
   * the buffers are handed out a turn of the event loop at a time.
   */
  private async dispatch(tail: TenantTail, docs: InboxDocument[]): Promise<void> {
    const first = docs[0].sortKey;
    const upTo = docs[docs.length - 1].sortKey;
    const groups = new Map<string, { subject: string; docs: InboxDocument[]; followers: Follower[] }>();
    for (const follower of tail.followers) {
      const { cursor, reader } = follower.subscriber;
      // A stream that resumed inside the batch (rare) has a selection of its own.
      const after = cursor !== null && cursor >= first ? cursor : null;
      const key = after === null ? follower.readerKey : `${follower.readerKey}\n${after}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { subject: reader.subject, docs: addressedTo(docs, follower.addresses, after), followers: [] }));
      group.followers.push(follower);
    }
    // Before the first await: a stream catching up meanwhile reads up to here itself, then joins.
    tail.cursor = upTo;
    const receiving = [...groups.values()].filter((group) => group.docs.length > 0);
    const views = await this.inbox.viewsFor(tail.tenantId, receiving);
    const turns = new WriteTurns();
    for (let i = 0; i < receiving.length; i++) {
      const frames = Buffer.from(views[i].map(notificationFrame).join(''));
      for (const follower of receiving[i].followers) {
        if (!tail.followers.has(follower)) continue;
        follower.subscriber.write(frames);
        if (turns.add(frames.length)) await turns.nextTurn();
      }
    }
    for (const group of groups.values()) {
      for (const follower of group.followers) {
        if (!tail.followers.has(follower)) continue;
        const { subscriber } = follower;
        if (subscriber.cursor === null || subscriber.cursor < upTo) subscriber.cursor = upTo;
        if (subscriber.buffered() > this.maxBufferedBytes) {
          this.leave(tail, follower, `: too far behind; reconnect with Last-Event-ID ${encodeNotificationCursor(subscriber.cursor)}\n\n`);
        }
      }
    }
  }

  private beat(): void {
    for (const tail of this.openTails()) for (const follower of tail.followers) follower.subscriber.write(': keep-alive\n\n');
  }
}

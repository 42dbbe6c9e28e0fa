import { ForbiddenException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AlertRecipientsService } from '../alert-recipients/alert-recipients.service';
import { Principal } from '../auth/principal';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { EVENT_STORE, EventStore, JsonObject } from '../event-store/event-store.port';
import { RequestContext } from '../logging/request-context';
import { severityRank } from '../monitoring/rules/monitoring-rule';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { NotificationInbox, Reader } from './notification-inbox';
import { NotificationAddressees, notificationIdOf, NotificationView, PublishedNotification, userKeyOf } from './notification';
import { NOTIFICATION_PUBLISHED, NOTIFICATION_READ, NOTIFICATIONS_ALL_READ, NotificationPublished, NotificationRead, NotificationsAllRead } from './notification.events';
import { notificationReadsStreamOf, notificationStreamOf } from './notification-streams';
import { NotificationDraft, Notifications } from './notifications.port';
import { NOTIFICATIONS_PROJECTION } from './notifications.read-model';

/** How long a read mark waits for the read model, so that the next list shows it. */
const READ_PROJECTION_WAIT_MS = 5000;

/** The notification centre (ARCHITECTURE §8): publishing for other modules, each reader's inbox and read state. */
@Injectable()
export class NotificationsService implements Notifications {
  private readonly logger = new Logger('Notifications');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly inbox: NotificationInbox,
    private readonly recipients: AlertRecipientsService,
    private readonly projections: ProjectionRegistry,
  ) {}

  /**
   * Durable once resolved; idempotent on (tenant, key): the notification's stream is created with
   * expected revision no_stream, so a second publish of the key (a retry, a replayed feed) finds it
   * and writes nothing. Without explicit recipients the tenant's alert recipients apply, as they are
   * now, with their `minSeverity`; a notification nobody is to receive is not written.
   */
  async publish(tenantId: string, draft: NotificationDraft): Promise<void> {
    assertDraft(draft);
    const addressees = await this.addresseesOf(tenantId, draft);
    if (addressees.userIds.length === 0 && addressees.roles.length === 0) {
      this.logger.debug({ msg: 'notification for nobody: not written', tenantId, key: draft.key, severity: draft.severity });
      return;
    }
    const id = notificationIdOf(tenantId, draft.key);
    const notification: PublishedNotification = {
      id,
      kind: draft.kind,
      ...(draft.alertId !== undefined ? { alertId: draft.alertId } : {}),
      ...(draft.reportId !== undefined ? { reportId: draft.reportId } : {}),
      ...(draft.webhookId !== undefined ? { webhookId: draft.webhookId } : {}),
      title: draft.title,
      ...(draft.severity !== undefined ? { severity: draft.severity } : {}),
      link: draft.link,
      createdAt: new Date(draft.occurredAt).toISOString(),
    };
    const data: NotificationPublished['data'] = { tenantId, key: draft.key, notification, addressees };
    try {
      await this.events.append(notificationStreamOf(tenantId, id), [{ id: randomUUID(), type: NOTIFICATION_PUBLISHED, data: data as unknown as JsonObject, metadata: { tenantId } }], 'no_stream');
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return; // published before: once per key
      throw error;
    }
  }

  async list(principal: Principal, params: { limit: number; before: string | null; unread: boolean }): Promise<{ items: NotificationView[]; unreadCount: number; nextSortKey: string | null }> {
    const reader = readerOf(principal);
    const [page, unreadCount] = await Promise.all([this.inbox.page(reader, params), this.inbox.unreadCount(reader)]);
    return { items: page.items.map((e) => e.view), unreadCount, nextSortKey: page.nextSortKey };
  }

  /** Marks one of the caller's notifications read (no change if it is); 404 if it is not theirs. */
  async markRead(principal: Principal, notificationId: string, now = new Date()): Promise<{ notification: NotificationView; changed: boolean }> {
    const reader = readerOf(principal);
    const entry = await this.inbox.find(reader, notificationId);
    if (!entry) throw new NotFoundException(`No notification ${notificationId} for you`);
    if (entry.view.readAt !== null) return { notification: entry.view, changed: false };
    const at = now.toISOString();
    const data: NotificationRead['data'] = { tenantId: reader.tenantId, userId: reader.subject, at, notificationId, sortKey: entry.sortKey };
    await this.appendReadState(reader, NOTIFICATION_READ, data as unknown as JsonObject);
    return { notification: { ...entry.view, readAt: at }, changed: true };
  }

  /** Marks everything addressed to the caller up to now read; answers how many were unread. */
  async markAllRead(principal: Principal, now = new Date()): Promise<{ markedRead: number }> {
    const reader = readerOf(principal);
    const [newest, unread, all] = await Promise.all([this.inbox.newestSortKey(reader), this.inbox.unreadCount(reader), this.inbox.readAll(reader)]);
    if (newest === null || unread === 0 || (all && all.upTo >= newest)) return { markedRead: 0 };
    const data: NotificationsAllRead['data'] = { tenantId: reader.tenantId, userId: reader.subject, at: now.toISOString(), upTo: newest };
    await this.appendReadState(reader, NOTIFICATIONS_ALL_READ, data as unknown as JsonObject);
    return { markedRead: unread };
  }

  /** Whom the principal reads as; refuses a cross-tenant grant (no inbox there). */
  readerOf(principal: Principal): Reader {
    return readerOf(principal);
  }

  newestSortKey(principal: Principal): Promise<string | null> {
    return this.inbox.newestSortKey(readerOf(principal));
  }

  private async appendReadState(reader: Reader, type: string, data: JsonObject): Promise<void> {
    const stream = notificationReadsStreamOf(reader.tenantId, userKeyOf(reader.tenantId, reader.subject));
    const metadata = { tenantId: reader.tenantId, actorId: reader.subject, requestId: RequestContext.current()?.requestId ?? null };
    // Read marks only add: concurrent marks of one reader need no ordering, hence 'any'.
    const appended = await this.events.append(stream, [{ id: randomUUID(), type, data, metadata }], 'any');
    if (!(await this.projections.runner(NOTIFICATIONS_PROJECTION).waitFor(appended.position, READ_PROJECTION_WAIT_MS))) {
      this.logger.warn({ msg: 'read mark recorded but not yet projected; shown once the projection catches up', tenantId: reader.tenantId });
    }
  }

  private async addresseesOf(tenantId: string, draft: NotificationDraft): Promise<NotificationAddressees> {
    if (draft.recipients) return { userIds: [...new Set(draft.recipients.userIds)].sort(), roles: [...new Set(draft.recipients.roles)].sort() };
    const configured = await this.recipients.get(tenantId);
    if (draft.severity !== undefined && severityRank(draft.severity) < severityRank(configured.minSeverity)) return { userIds: [], roles: [] };
    return { userIds: [...configured.userIds], roles: [...configured.roles] };
  }
}

/**
 * Notifications are read in one's own tenant: a platform administrator acting in another tenant
 * under a grant has no inbox there (their `sub` could even coincide with a user of that tenant).
 */
function readerOf(principal: Principal): Reader {
  if (principal.crossTenant) throw new ForbiddenException('Notifications are read in your own tenant, not under a cross-tenant grant');
  return { tenantId: principal.tenantId, subject: principal.subject, roles: principal.roles };
}

function assertDraft(draft: NotificationDraft): void {
  const problems: string[] = [];
  if (typeof draft.key !== 'string' || draft.key.length === 0 || draft.key.length > 1024) problems.push('key must be 1-1024 characters');
  if (typeof draft.title !== 'string' || draft.title.length === 0 || draft.title.length > 1000) problems.push('title must be 1-1000 characters');
  if (typeof draft.link !== 'string' || !draft.link.startsWith('/')) problems.push('link must be an API path starting with "/"');
  if (Number.isNaN(Date.parse(draft.occurredAt))) problems.push('occurredAt must be an ISO 8601 instant');
  if (problems.length) throw new Error(`Invalid notification draft: ${problems.join('; ')}`);
}

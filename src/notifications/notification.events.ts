import { DomainEvent } from '../event-sourcing/decider';
import { RecordedEvent } from '../event-store/event-store.port';
import { NotificationAddressees, PublishedNotification } from './notification';

/** Stable, versioned event types of the notification centre. */
export const NOTIFICATION_PUBLISHED = 'NotificationPublished.v1';
export const NOTIFICATION_READ = 'NotificationRead.v1';
export const NOTIFICATIONS_ALL_READ = 'NotificationsAllRead.v1';

/** `notification-<tenant>-<id>`: the one event of a notification, with its addressees as resolved at publish time. */
export type NotificationPublished = DomainEvent<typeof NOTIFICATION_PUBLISHED, { tenantId: string; key: string; notification: PublishedNotification; addressees: NotificationAddressees }>;

interface ReaderFacts {
  tenantId: string;
  /** Token `sub` of the reader. */
  userId: string;
  at: string;
}

/** `notification_reads-<tenant>-<user key>`: one reader marked one notification (publish position `sortKey`) read. */
export type NotificationRead = DomainEvent<typeof NOTIFICATION_READ, ReaderFacts & { notificationId: string; sortKey: string }>;
/** ... or everything published up to and including position `upTo` that they could see. */
export type NotificationsAllRead = DomainEvent<typeof NOTIFICATIONS_ALL_READ, ReaderFacts & { upTo: string }>;

export type ReadStateEvent = NotificationRead | NotificationsAllRead;

export function decodeNotificationPublished(recorded: RecordedEvent): NotificationPublished {
  if (recorded.type !== NOTIFICATION_PUBLISHED) throw new Error(`Unknown event type ${recorded.type} in notification stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as NotificationPublished;
}

export function decodeReadStateEvent(recorded: RecordedEvent): ReadStateEvent {
  if (recorded.type !== NOTIFICATION_READ && recorded.type !== NOTIFICATIONS_ALL_READ) throw new Error(`Unknown event type ${recorded.type} in notification read stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as ReadStateEvent;
}

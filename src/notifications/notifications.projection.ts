import { Injectable } from '@nestjs/common';
import { RecordedEvent } from '../event-store/event-store.port';
import { Projection, ProjectionWriter } from '../projections/projection';
import { ReadModelProjection } from '../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../read-store/read-store.port';
import { addressesOf, userKeyOf } from './notification';
import { decodeNotificationPublished, decodeReadStateEvent, NOTIFICATION_PUBLISHED, NOTIFICATION_READ } from './notification.events';
import { NOTIFICATION_READS_STREAM_PREFIX, NOTIFICATION_STREAM_PREFIX } from './notification-streams';
import {
  INBOX_COLLECTION,
  inboxDocumentId,
  InboxDocument,
  NOTIFICATION_INBOX,
  NOTIFICATION_READ_ALL,
  NOTIFICATION_READS,
  NOTIFICATIONS_PROJECTION,
  READ_ALL_COLLECTION,
  readAllDocumentId,
  ReadAllDocument,
  READ_MARKS_COLLECTION,
  readMarkDocumentId,
  ReadMarkDocument,
} from './notifications.read-model';

/**
 * The notification centre's read models: every published notification under each of its
 * addresses (sorted by its publish position), and each reader's read marks.
 */
@ReadModelProjection()
@Injectable()
export class NotificationsProjection implements Projection {
  // v2: inbox index by_tenant (the shared live fan-out reads the whole tenant).
  readonly definition: ProjectionDefinition = { name: NOTIFICATIONS_PROJECTION, version: 2, collections: [INBOX_COLLECTION, READ_MARKS_COLLECTION, READ_ALL_COLLECTION] };
  readonly streamPrefixes = [NOTIFICATION_STREAM_PREFIX, NOTIFICATION_READS_STREAM_PREFIX];
  /** Every notification and every read mark is a document of its own. */
  readonly afterParked = 'continue-stream' as const;

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (recorded.type === NOTIFICATION_PUBLISHED) {
      const { tenantId, notification, addressees } = decodeNotificationPublished(recorded).data;
      for (const address of addressesOf(addressees)) {
        const doc: InboxDocument = { id: inboxDocumentId(notification.id, address), tenantId, address, notificationId: notification.id, sortKey: recorded.position, notification };
        writer.put(NOTIFICATION_INBOX, doc);
      }
      return;
    }
    const event = decodeReadStateEvent(recorded);
    const userKey = userKeyOf(event.data.tenantId, event.data.userId);
    if (event.type === NOTIFICATION_READ) {
      const { tenantId, notificationId, sortKey, at } = event.data;
      const id = readMarkDocumentId(tenantId, userKey, notificationId);
      // The first mark stands: reading again does not move readAt.
      if (await writer.get(NOTIFICATION_READS, id)) return;
      const doc: ReadMarkDocument = { id, tenantId, userKey, notificationId, sortKey, readAt: at };
      writer.put(NOTIFICATION_READS, doc);
      return;
    }
    const { tenantId, upTo, at } = event.data;
    const id = readAllDocumentId(tenantId, userKey);
    const previous = (await writer.get(NOTIFICATION_READ_ALL, id)) as ReadAllDocument | null;
    if (previous && previous.upTo >= upTo) return;
    const doc: ReadAllDocument = { id, tenantId, userKey, upTo, at };
    writer.put(NOTIFICATION_READ_ALL, doc);
  }
}

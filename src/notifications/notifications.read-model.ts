import { CollectionDefinition } from '../read-store/read-store.port';
import { PublishedNotification } from './notification';

export const NOTIFICATIONS_PROJECTION = 'notifications';
export const NOTIFICATION_INBOX = 'notification_inbox';
export const NOTIFICATION_READS = 'notification_reads';
export const NOTIFICATION_READ_ALL = 'notification_read_all';

/** A notification under one of its addresses (`u:<sub>` / `r:<role>`); `id` is `<notificationId>|<address>`. */
export interface InboxDocument {
  id: string;
  tenantId: string;
  address: string;
  notificationId: string;
  /** Log position of the publish: the order of the inbox (newest first) and the cursor. */
  sortKey: string;
  notification: PublishedNotification;
}

/** One reader's mark on one notification; `id` is `<tenantId>|<userKey>|<notificationId>`. */
export interface ReadMarkDocument {
  id: string;
  tenantId: string;
  userKey: string;
  notificationId: string;
  sortKey: string;
  readAt: string;
}

/** One reader's "all read": everything up to `upTo` (a sortKey) counts as read at `at`; `id` is `<tenantId>|<userKey>`. */
export interface ReadAllDocument {
  id: string;
  tenantId: string;
  userKey: string;
  upTo: string;
  at: string;
}

export const inboxDocumentId = (notificationId: string, address: string) => `${notificationId}|${address}`;
export const readMarkDocumentId = (tenantId: string, userKey: string, notificationId: string) => `${tenantId}|${userKey}|${notificationId}`;
export const readAllDocumentId = (tenantId: string, userKey: string) => `${tenantId}|${userKey}`;

export const INBOX_COLLECTION: CollectionDefinition = {
  name: NOTIFICATION_INBOX,
  fields: { tenantId: 'string', address: 'string', notificationId: 'string', sortKey: 'string' },
  indexes: [
    { name: 'by_address', keys: [['tenantId', 1], ['address', 1], ['sortKey', -1]] },
    { name: 'by_notification', keys: [['tenantId', 1], ['notificationId', 1]] },
    // The live fan-out reads what was published in the tenant, for every address at once.
    { name: 'by_tenant', keys: [['tenantId', 1], ['sortKey', 1]] },
  ],
};

export const READ_MARKS_COLLECTION: CollectionDefinition = {
  name: NOTIFICATION_READS,
  fields: { tenantId: 'string', userKey: 'string', notificationId: 'string', sortKey: 'string' },
  indexes: [{ name: 'by_reader', keys: [['tenantId', 1], ['userKey', 1], ['sortKey', -1]] }],
};

export const READ_ALL_COLLECTION: CollectionDefinition = { name: NOTIFICATION_READ_ALL, fields: { tenantId: 'string', userKey: 'string' }, indexes: [] };

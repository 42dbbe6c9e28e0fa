import { STREAM_ID_PATTERN } from '../event-store/stream-names';
import { NOTIFICATION_ID_PATTERN } from './notification';

/**
 * `notification-<tenantId>-<notificationId>` (one per notification, created with expected revision
 * no_stream: a second publish of the same key finds it) and `notification_reads-<tenantId>-<userKey>`
 * (a reader's read marks). Ids are hex, tenant ids are checked like every stream id (ADR 004).
 */
export const NOTIFICATION_STREAM_PREFIX = 'notification-';
export const NOTIFICATION_READS_STREAM_PREFIX = 'notification_reads-';

function tenant(tenantId: string): string {
  if (!STREAM_ID_PATTERN.test(tenantId)) throw new Error(`Invalid tenant id "${tenantId}"`);
  return tenantId;
}

export function notificationStreamOf(tenantId: string, notificationId: string): string {
  if (!NOTIFICATION_ID_PATTERN.test(notificationId)) throw new Error(`Invalid notification id "${notificationId}"`);
  return `${NOTIFICATION_STREAM_PREFIX}${tenant(tenantId)}-${notificationId}`;
}

export function notificationReadsStreamOf(tenantId: string, userKey: string): string {
  if (!NOTIFICATION_ID_PATTERN.test(userKey)) throw new Error(`Invalid user key "${userKey}"`);
  return `${NOTIFICATION_READS_STREAM_PREFIX}${tenant(tenantId)}-${userKey}`;
}

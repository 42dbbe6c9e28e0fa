import { createHash } from 'node:crypto';
import { Severity } from '../monitoring/rules/monitoring-rule';
import { NotificationKind } from './notifications.port';

/** Notification ids: 32 hex digits, derived from tenant and publish key (idempotency). */
export const NOTIFICATION_ID_PATTERN = /^[0-9a-f]{32}$/;

export function notificationIdOf(tenantId: string, key: string): string {
  return createHash('sha256').update(`${tenantId}\n${key}`).digest('hex').slice(0, 32);
}

/** A user as stream ids and document ids may name them (a `sub` may hold any character). */
export function userKeyOf(tenantId: string, subject: string): string {
  return createHash('sha256').update(`${tenantId}\n${subject}`).digest('hex').slice(0, 32);
}

export interface NotificationAddressees {
  userIds: string[];
  roles: string[];
}

/**
 * Inbox addresses: a notification is stored once per addressee, `u:<sub>` or `r:<role>`; a reader
 * looks under its own `sub` and the roles of its token. The prefixes keep a user named like a role apart.
 */
export function addressesOf(addressees: NotificationAddressees): string[] {
  return [...new Set([...addressees.userIds.map((u) => `u:${u}`), ...addressees.roles.map((r) => `r:${r}`)])];
}

export function readerAddresses(subject: string, roles: readonly string[]): string[] {
  return [`u:${subject}`, ...new Set(roles.map((r) => `r:${r}`))];
}

/** A notification as `GET /v1/notifications` shows it to one reader (ARCHITECTURE §8). */
export interface NotificationView {
  id: string;
  kind: NotificationKind;
  alertId?: string;
  reportId?: string;
  webhookId?: string;
  title: string;
  severity?: Severity;
  link: string;
  createdAt: string;
  readAt: string | null;
}

/** What every reader of a notification sees alike (no read state). */
export type PublishedNotification = Omit<NotificationView, 'readAt'>;

/**
 * Cursors and SSE event ids are the publish position in the log (`sortKey`), base64url-encoded:
 * publish order, stable across restarts and rebuilds of the notification projection.
 */
export function encodeNotificationCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

export function decodeNotificationCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const sortKey = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[\x21-\x7e]{1,100}$/.test(sortKey) ? sortKey : null;
}

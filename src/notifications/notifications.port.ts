import { Severity } from '../monitoring/rules/monitoring-rule';

/**
 * The notification centre as other modules see it (ARCHITECTURE §8): reports, webhooks and the alert
 * pipeline publish through this port; the notifications module owns storage, recipients and streams.
 */
export const NOTIFICATIONS = Symbol('NOTIFICATIONS');

/** `webhook` (a delivery that exhausted its retries) extends §8's `alert | report`. */
export type NotificationKind = 'alert' | 'report' | 'webhook';

export interface NotificationDraft {
  kind: NotificationKind;
  title: string;
  severity?: Severity;
  /** API path the notification points at, e.g. `/v1/alerts/{id}` or `/v1/reports/{id}`. */
  link: string;
  alertId?: string;
  reportId?: string;
  webhookId?: string;
  /** Publishing the same key twice for a tenant creates one notification (at-least-once callers). */
  key: string;
  /** Addressees; when absent, the tenant's alert recipients (with their `minSeverity`). */
  recipients?: { userIds: string[]; roles: string[] };
  /** When the fact happened (ISO 8601); the notification's `createdAt`. */
  occurredAt: string;
}

export interface Notifications {
  /** Durable once resolved. */
  publish(tenantId: string, draft: NotificationDraft): Promise<void>;
}

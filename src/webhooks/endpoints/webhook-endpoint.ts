/** The webhook endpoint aggregate's shapes (ARCHITECTURE §9). */
export const WEBHOOK_EVENT_TYPES = ['alert.raised', 'alert.updated', 'audit.events', 'report.ready', 'integrity.checkpoint'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** Sent by `POST /{id}/test` only; not subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Server-assigned: `wh_` + 24 hex digits (valid in stream ids, ADR 004). */
export const WEBHOOK_ID_PATTERN = /^wh_[0-9a-f]{24}$/;

/** The audit-event list filters (GET /v1/audit-events) an endpoint's audit.events feed applies. */
export interface AuditFeedFilter {
  from?: string;
  to?: string;
  actorId?: string;
  actorType?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  outcome?: string;
  channel?: string;
  excludeSelfAudit?: boolean;
}

/** A signing secret as stored: sealed by the SecretCipher (never in clear in events or read models). */
export interface StoredSecrets {
  current: string;
  /** The secret before the last rotation: it still signs (second signature) until `expiresAt`. */
  previous: { sealed: string; expiresAt: string } | null;
  rotatedAt: string | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  filter: AuditFeedFilter | null;
  enabled: boolean;
  /** Why the service disabled it (e.g. the receiver answered 410 Gone); null when enabled by its owner's choice. */
  disabledReason: string | null;
  /** The audit.events feed starts at this sequence of the tenant's log (its head when the type was added). */
  auditFeedFrom: number | null;
  secrets: StoredSecrets;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

/** What the API returns: never a secret, sealed or not. */
export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  filter: AuditFeedFilter | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
  secretRotatedAt: string | null;
  /** Until then the previous secret still signs every delivery as a second signature. */
  previousSecretExpiresAt: string | null;
}

export function viewOf(endpoint: WebhookEndpoint): WebhookView {
  const { secrets, auditFeedFrom: _from, ...rest } = endpoint;
  return { ...rest, secretRotatedAt: secrets.rotatedAt, previousSecretExpiresAt: secrets.previous?.expiresAt ?? null };
}

/** The endpoint a secret is bound to (AES-GCM associated data). */
export function secretBinding(tenantId: string, webhookId: string): string {
  return `webhook/${tenantId}/${webhookId}`;
}

/** The audit event as the API accepts it and as the log stores it (ARCHITECTURE §3). */

export const AUDIT_EVENT_RECORDED = 'AuditEventRecorded.v1';

/**
 * `context.sourceService` of the events this service records about itself (self-audit, denials).
 * Ingestion refuses it, so a caller cannot forge the service's own records (ADR 011).
 */
export const SERVICE_NAME = 'compliance-audit-trail';

export const AUDIT_ACTOR_TYPES = ['user', 'admin', 'ai_agent', 'service', 'system'] as const;
export const OUTCOMES = ['success', 'failure', 'denied'] as const;
export const SENSITIVITIES = ['public', 'internal', 'personal', 'financial', 'restricted'] as const;
export const CHANNELS = ['ui', 'api', 'workflow', 'system'] as const;

export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type Sensitivity = (typeof SENSITIVITIES)[number];
export type Channel = (typeof CHANNELS)[number];

export type JsonObject = { [key: string]: unknown };

export interface AuditActor {
  id: string;
  type: AuditActorType;
  role?: string;
  sessionId?: string;
  ip?: string;
  userAgent?: string;
  onBehalfOf?: string;
}

export interface AuditResource {
  type: string;
  id: string;
  name?: string;
  sensitivity?: Sensitivity;
}

/** A validated, normalised event as submitted (occurredAt in UTC ISO-8601 with milliseconds). */
export interface AuditEventInput {
  id?: string;
  /** Only platform ingestors may name the tenant; everyone else writes to their token's tenant. */
  tenantId?: string;
  occurredAt: string;
  actor: AuditActor;
  action: string;
  outcome: Outcome;
  resource: AuditResource;
  changes?: { before?: JsonObject | null; after?: JsonObject | null };
  channel: Channel;
  context?: { requestId?: string; correlationId?: string; workflowId?: string; sourceService?: string };
  dataSubjects?: string[];
  metadata?: JsonObject;
}

/** What the log stores: the input plus server-assigned fields and the chain link. */
export interface StoredAuditEvent extends Omit<AuditEventInput, 'id' | 'tenantId'> {
  id: string;
  tenantId: string;
  sequence: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** The receipt returned for each recorded event. */
export interface RecordedReceipt {
  id: string;
  tenantId: string;
  sequence: number;
  hash: string;
  recordedAt: string;
  /** True when the id had been recorded before with the same content (idempotent replay). */
  duplicate: boolean;
}

export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/**
 * Deepest nesting of objects and arrays in a submitted event, the event itself being level 1 (so
 * `metadata` is level 2, `changes.before` level 3). Anything deeper is refused at ingestion; readers
 * must still cope with deeper events stored before this limit existed.
 */
export const MAX_JSON_DEPTH = 32;

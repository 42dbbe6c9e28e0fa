/**
 * The one place stream names are built. Tenant and aggregate ids are validated so that a crafted id
 * can never address another tenant's stream (e.g. `acme-x` must not read as tenant `acme`).
 */
const ID_PATTERN = /^[A-Za-z0-9_.:]{1,128}$/;

/** The pattern every tenant and aggregate id must match (ADR 004); for validating input at the edge. */
export const STREAM_ID_PATTERN = ID_PATTERN;

function assertId(kind: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new Error(`Invalid ${kind} "${value}": use 1-128 of A-Z a-z 0-9 _ . :`);
  }
  return value;
}

export const AUDIT_STREAM_PREFIX = 'audit-';

export function auditStreamOf(tenantId: string): string {
  return `${AUDIT_STREAM_PREFIX}${assertId('tenant id', tenantId)}`;
}

export function tenantOfAuditStream(stream: string): string {
  if (!stream.startsWith(AUDIT_STREAM_PREFIX)) throw new Error(`Not an audit stream: ${stream}`);
  return stream.slice(AUDIT_STREAM_PREFIX.length);
}

export type AggregateKind = 'rule' | 'role' | 'webhook' | 'schedule' | 'alert' | 'report' | 'report_template';

/** Configuration aggregates: `<kind>-<tenantId>-<aggregateId>`. */
export function aggregateStreamOf(kind: AggregateKind, tenantId: string, aggregateId: string): string {
  return `${kind}-${assertId('tenant id', tenantId)}-${assertId(`${kind} id`, aggregateId)}`;
}

/** Prefix of every stream of one aggregate kind (projection subscriptions). */
export function aggregateStreamPrefix(kind: AggregateKind): string {
  return `${kind}-`;
}

export const GRANT_STREAM_PREFIX = 'grant-';

/** A cross-tenant grant issued by `tenantId` (the tenant whose data it opens): `grant-<tenantId>-<grantId>`. */
export function grantStreamOf(tenantId: string, grantId: string): string {
  return `${GRANT_STREAM_PREFIX}${assertId('tenant id', tenantId)}-${assertId('grant id', grantId)}`;
}

export function retentionStreamOf(tenantId: string): string {
  return `retention-${assertId('tenant id', tenantId)}`;
}

export const CHECKPOINT_STREAM_PREFIX = 'checkpoints-';

/** Signed integrity checkpoints of a tenant's audit stream (ADR 017). */
export function checkpointStreamOf(tenantId: string): string {
  return `${CHECKPOINT_STREAM_PREFIX}${assertId('tenant id', tenantId)}`;
}

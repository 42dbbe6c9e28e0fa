/**
 * The one place stream names are built. Tenant and aggregate ids are validated and encoded so that a
 * crafted id can never address another tenant's stream (e.g. tenant `acme-x` must not read as tenant
 * `acme` with an aggregate id starting `x-`).
 *
 * Stream names join their parts with "-" (`<kind>-<tenant>-<id>`). Ids may contain "-" too (UUIDs,
 * slugs), so inside a part every "-" is written as "~", a character ids never contain: the mapping from
 * (kind, tenant, id) to a stream name is one-to-one and reversible (ADR 004). Ids without "-", the only
 * ones that existed before, keep their stream names.
 */
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The pattern every tenant and aggregate id must match (ADR 004); for validating input at the edge. */
export const STREAM_ID_PATTERN = ID_PATTERN;

/** How the pattern reads in error messages. */
export const STREAM_ID_RULE = '1-128 of A-Z a-z 0-9 _ . : -';

function assertId(kind: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new Error(`Invalid ${kind} "${value}": use ${STREAM_ID_RULE}`);
  }
  return value;
}

/** A validated id as it appears inside a stream name. */
function part(kind: string, value: string): string {
  return assertId(kind, value).replace(/-/g, '~');
}

/** The id a stream-name part stands for. */
function idOfPart(value: string): string {
  return value.replace(/~/g, '-');
}

/** Splits `<tenant>-<id>` (the rest of a stream name after its kind prefix) into its ids. */
export function idsOfStreamRest(rest: string): string[] {
  return rest.split('-').map(idOfPart);
}

export const AUDIT_STREAM_PREFIX = 'audit-';

export function auditStreamOf(tenantId: string): string {
  return `${AUDIT_STREAM_PREFIX}${part('tenant id', tenantId)}`;
}

export function tenantOfAuditStream(stream: string): string {
  if (!stream.startsWith(AUDIT_STREAM_PREFIX)) throw new Error(`Not an audit stream: ${stream}`);
  return idOfPart(stream.slice(AUDIT_STREAM_PREFIX.length));
}

/** `webhookdelivery`: one webhook delivery's lifecycle (ADR 020). */
export type AggregateKind = 'rule' | 'role' | 'webhook' | 'webhookdelivery' | 'schedule' | 'alert' | 'report' | 'report_template';

/** Configuration aggregates: `<kind>-<tenantId>-<aggregateId>`. */
export function aggregateStreamOf(kind: AggregateKind, tenantId: string, aggregateId: string): string {
  return `${kind}-${part('tenant id', tenantId)}-${part(`${kind} id`, aggregateId)}`;
}

/** Prefix of every stream of one aggregate kind (projection subscriptions). */
export function aggregateStreamPrefix(kind: AggregateKind): string {
  return `${kind}-`;
}

export const GRANT_STREAM_PREFIX = 'grant-';

/** A cross-tenant grant issued by `tenantId` (the tenant whose data it opens): `grant-<tenantId>-<grantId>`. */
export function grantStreamOf(tenantId: string, grantId: string): string {
  return `${GRANT_STREAM_PREFIX}${part('tenant id', tenantId)}-${part('grant id', grantId)}`;
}

export const RETENTION_STREAM_PREFIX = 'retention-';

/** A tenant's retention policy and expiries (ADR 025). */
export function retentionStreamOf(tenantId: string): string {
  return `${RETENTION_STREAM_PREFIX}${part('tenant id', tenantId)}`;
}

export const CHECKPOINT_STREAM_PREFIX = 'checkpoints-';

/** Signed integrity checkpoints of a tenant's audit stream (ADR 017). */
export function checkpointStreamOf(tenantId: string): string {
  return `${CHECKPOINT_STREAM_PREFIX}${part('tenant id', tenantId)}`;
}

import { Permission } from '../auth/permissions';
import { DomainEvent } from '../event-sourcing/decider';
import { RecordedEvent } from '../event-store/event-store.port';

/** Stable, versioned event type strings of a cross-tenant grant (`grant-<tenantId>-<grantId>`). */
export const CROSS_TENANT_GRANT_ISSUED = 'CrossTenantGrantIssued.v2';
/** Written before grants named the grantee's home tenant; still read (such a grant opens nothing). */
export const CROSS_TENANT_GRANT_ISSUED_V1 = 'CrossTenantGrantIssued.v1';
export const CROSS_TENANT_GRANT_REVOKED = 'CrossTenantGrantRevoked.v1';

interface GrantFacts {
  /** The granting tenant: whose data the grant opens. */
  tenantId: string;
  grantId: string;
  /** Token `sub` of the tenant administrator, and when (ISO-8601, UTC). */
  by: string;
  at: string;
}

interface IssuedFacts extends GrantFacts {
  /** `sub` of the platform administrator the grant is for. */
  grantee: string;
  /** Sorted, without duplicates. */
  permissions: Permission[];
  /** ISO-8601, UTC: the grant stops working at this instant. */
  expiresAt: string;
}

export type CrossTenantGrantIssued = DomainEvent<
  typeof CROSS_TENANT_GRANT_ISSUED,
  IssuedFacts & {
    /** The grantee's home tenant (its token's `tenant`): the grant is for `grantee` of that tenant only. */
    granteeTenant: string;
  }
>;
export type CrossTenantGrantIssuedV1 = DomainEvent<typeof CROSS_TENANT_GRANT_ISSUED_V1, IssuedFacts>;
export type CrossTenantGrantRevoked = DomainEvent<typeof CROSS_TENANT_GRANT_REVOKED, GrantFacts>;
export type GrantEvent = CrossTenantGrantIssued | CrossTenantGrantIssuedV1 | CrossTenantGrantRevoked;

const TYPES: ReadonlySet<string> = new Set([CROSS_TENANT_GRANT_ISSUED, CROSS_TENANT_GRANT_ISSUED_V1, CROSS_TENANT_GRANT_REVOKED]);

export function isGrantEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

/** A recorded event of a grant stream; an unknown type is an error, never skipped silently. */
export function decodeGrantEvent(recorded: RecordedEvent): GrantEvent {
  if (!isGrantEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in grant stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as GrantEvent;
}

import { Permission } from './permissions';

export const ACTOR_TYPES = ['user', 'admin', 'ai_agent', 'service'] as const;
export type TokenActorType = (typeof ACTOR_TYPES)[number];

/** The authenticated caller, resolved from a verified token. */
export interface Principal {
  /** `sub`: the user or service id. */
  subject: string;
  /** The tenant every query and write of this request is scoped to. */
  tenantId: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  sessionId?: string;
  actorType: TokenActorType;
  /** Token expiry, seconds since the epoch. */
  expiresAt: number;
  /**
   * Roles of the token that are not built in: they grant something only if the tenant defined them
   * as custom roles (resolved per request by the access guard).
   */
  customRoles?: string[];
  /**
   * Set when a platform administrator acts in another tenant through a cross-tenant grant:
   * `tenantId` is then the target tenant and `permissions` exactly what the grants give.
   */
  crossTenant?: CrossTenantContext;
  /**
   * Set when a platform operator administers another tenant's account (X-Tenant-Id): `tenantId` is
   * then that tenant and `permissions` only the platform-level ones of its roles (ADR 025).
   */
  platformOperator?: { fromTenant: string };
}

export interface CrossTenantContext {
  /** The administrator's own tenant (from the token). */
  fromTenant: string;
  /** The grants of the target tenant this request runs under. */
  grantIds: string[];
}

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
}

/** Raw claims, as signed by the identity provider. */
export interface TokenClaims {
  sub?: unknown;
  tenant?: unknown;
  roles?: unknown;
  sid?: unknown;
  actor_type?: unknown;
  exp?: unknown;
}

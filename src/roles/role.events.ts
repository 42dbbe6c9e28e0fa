import { RecordedEvent } from '../event-store/event-store.port';
import { Permission } from '../auth/permissions';
import { DomainEvent } from '../event-sourcing/decider';

/** Stable, versioned event type strings of the tenant role aggregate (`role-<tenantId>-<name>`). */
export const TENANT_ROLE_DEFINED = 'TenantRoleDefined.v1';
export const TENANT_ROLE_CHANGED = 'TenantRoleChanged.v1';
export const TENANT_ROLE_DELETED = 'TenantRoleDeleted.v1';

interface RoleFacts {
  tenantId: string;
  name: string;
  /** Who did it (token `sub`) and when (ISO-8601, UTC). */
  by: string;
  at: string;
}

export interface RoleDefinition {
  /** Sorted, without duplicates. */
  permissions: Permission[];
  description: string | null;
}

export type TenantRoleDefined = DomainEvent<typeof TENANT_ROLE_DEFINED, RoleFacts & RoleDefinition>;
export type TenantRoleChanged = DomainEvent<typeof TENANT_ROLE_CHANGED, RoleFacts & RoleDefinition>;
export type TenantRoleDeleted = DomainEvent<typeof TENANT_ROLE_DELETED, RoleFacts>;
export type RoleEvent = TenantRoleDefined | TenantRoleChanged | TenantRoleDeleted;

const TYPES: ReadonlySet<string> = new Set([TENANT_ROLE_DEFINED, TENANT_ROLE_CHANGED, TENANT_ROLE_DELETED]);

export function isRoleEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return TYPES.has(recorded.type);
}

/** A recorded event of a role stream; an unknown type is an error, never skipped silently. */
export function decodeRoleEvent(recorded: RecordedEvent): RoleEvent {
  if (!isRoleEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in role stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as RoleEvent;
}

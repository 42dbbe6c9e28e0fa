import { RoleState } from './role.decider';
import { TenantRoleView } from './tenant-roles.read-model';

/** The API view of a role as the decider's state holds it (answers to mutations need no read model). */
export function roleViewOf(name: string, state: RoleState, revision: number): TenantRoleView | null {
  if (state.status !== 'defined') return null;
  return {
    name,
    permissions: state.permissions,
    description: state.description,
    createdAt: state.definedAt,
    createdBy: state.definedBy,
    updatedAt: state.changedAt,
    updatedBy: state.changedBy,
    revision,
  };
}

/** What the audit record of a role change shows as before/after. */
export function auditedRoleOf(state: RoleState): Record<string, unknown> | null {
  return state.status === 'defined' ? { permissions: state.permissions, description: state.description } : null;
}

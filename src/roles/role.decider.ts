import { Permission, permissionErrors, TENANT_ASSIGNABLE_PERMISSIONS } from '../auth/permissions';
import { Decider } from '../event-sourcing/decider';
import { BuiltInRoleNameError, InvalidRoleError, RoleAlreadyExistsError, RoleNotFoundError } from './role.errors';
import { isReservedRoleName } from './role-name';
import { RoleEvent, TENANT_ROLE_CHANGED, TENANT_ROLE_DEFINED, TENANT_ROLE_DELETED } from './role.events';

export type RoleState =
  | { status: 'absent' }
  | {
      status: 'defined';
      permissions: Permission[];
      description: string | null;
      definedAt: string;
      definedBy: string;
      changedAt: string;
      changedBy: string;
    }
  | { status: 'deleted'; deletedAt: string };

interface Addressed {
  tenantId: string;
  name: string;
  /** Token `sub` of the caller. */
  by: string;
  now: Date;
}

/** Commands take permission names as given: the decider is where they are checked. */
export type RoleCommand =
  | (Addressed & { kind: 'define'; permissions: string[]; description?: string | null })
  /** `description` undefined keeps the current one; null clears it. */
  | (Addressed & { kind: 'change'; permissions: string[]; description?: string | null })
  | (Addressed & { kind: 'delete' });

/**
 * The custom role aggregate of one tenant. A role is defined, changed (its permissions replaced),
 * deleted, and may be defined again after deletion. Built-in role names are refused in any case, so
 * that a tenant cannot shadow `super_admin` or `platform_admin` with a role of its own making.
 */
export function roleDecider(builtInRoleNames: Iterable<string>): Decider<RoleCommand, RoleState, RoleEvent> {
  const builtIn = new Set([...builtInRoleNames].map((n) => n.toLowerCase()));
  return {
    initialState: { status: 'absent' },

    decide(command: RoleCommand, state: RoleState): RoleEvent[] {
      if (isReservedRoleName(command.name)) throw new InvalidRoleError([{ path: 'name', message: `"${command.name}" is reserved (an Object.prototype member name)` }]);
      if (builtIn.has(command.name.toLowerCase())) throw new BuiltInRoleNameError(command.name);
      const facts = { tenantId: command.tenantId, name: command.name, by: command.by, at: command.now.toISOString() };
      switch (command.kind) {
        case 'define': {
          const permissions = checkedPermissions(command.permissions);
          if (state.status === 'defined') throw new RoleAlreadyExistsError(command.name);
          return [{ type: TENANT_ROLE_DEFINED, data: { ...facts, permissions, description: command.description ?? null } }];
        }
        case 'change': {
          const permissions = checkedPermissions(command.permissions);
          if (state.status !== 'defined') throw new RoleNotFoundError(command.name);
          const description = command.description === undefined ? state.description : command.description;
          if (sameList(permissions, state.permissions) && description === state.description) return [];
          return [{ type: TENANT_ROLE_CHANGED, data: { ...facts, permissions, description } }];
        }
        case 'delete':
          if (state.status !== 'defined') throw new RoleNotFoundError(command.name);
          return [{ type: TENANT_ROLE_DELETED, data: facts }];
        default: {
          const unknown: never = command;
          throw new Error(`Unknown role command ${JSON.stringify(unknown)}`);
        }
      }
    },

    evolve(state: RoleState, event: RoleEvent): RoleState {
      switch (event.type) {
        case TENANT_ROLE_DEFINED:
          return {
            status: 'defined',
            permissions: event.data.permissions,
            description: event.data.description,
            definedAt: event.data.at,
            definedBy: event.data.by,
            changedAt: event.data.at,
            changedBy: event.data.by,
          };
        case TENANT_ROLE_CHANGED:
          if (state.status !== 'defined') return state;
          return { ...state, permissions: event.data.permissions, description: event.data.description, changedAt: event.data.at, changedBy: event.data.by };
        case TENANT_ROLE_DELETED:
          return { status: 'deleted', deletedAt: event.data.at };
        default: {
          const unknown: never = event;
          throw new Error(`Unknown role event ${JSON.stringify(unknown)}`);
        }
      }
    },
  };
}

/** Unknown or non-assignable names → 422 with their paths; otherwise sorted and de-duplicated. */
function checkedPermissions(names: string[]): Permission[] {
  const errors = permissionErrors(names, TENANT_ASSIGNABLE_PERMISSIONS, 'is a platform permission and cannot be given by a tenant role');
  if (names.length === 0) errors.push({ path: 'permissions', message: 'must name at least one permission' });
  if (errors.length) throw new InvalidRoleError(errors);
  return [...new Set(names as Permission[])].sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

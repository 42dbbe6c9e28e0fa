import { CROSS_TENANT_GRANTABLE_PERMISSIONS, Permission, permissionErrors } from '../auth/permissions';
import { Decider } from '../event-sourcing/decider';
import { STREAM_ID_PATTERN } from '../event-store/stream-names';
import { GrantAlreadyExistsError, GrantNotFoundError, InvalidGrantError } from './grant.errors';
import { CROSS_TENANT_GRANT_ISSUED, CROSS_TENANT_GRANT_ISSUED_V1, CROSS_TENANT_GRANT_REVOKED, GrantEvent } from './grant.events';

/** The longest a grant may run. */
export const MAX_GRANT_DAYS = 90;
const MAX_GRANT_MS = MAX_GRANT_DAYS * 24 * 60 * 60 * 1000;

export interface IssuedGrant {
  grantee: string;
  /** The grantee's home tenant; null for a grant issued before grants named it (it opens nothing). */
  granteeTenant: string | null;
  permissions: Permission[];
  expiresAt: string;
  issuedAt: string;
  issuedBy: string;
}

export type GrantState =
  | { status: 'absent' }
  | ({ status: 'issued' } & IssuedGrant)
  | ({ status: 'revoked'; revokedAt: string; revokedBy: string } & IssuedGrant);

interface Addressed {
  tenantId: string;
  grantId: string;
  /** Token `sub` of the caller. */
  by: string;
  now: Date;
}

export type GrantCommand =
  | (Addressed & { kind: 'issue'; grantee: string; granteeTenant: string; permissions: string[]; expiresAt: string })
  | (Addressed & { kind: 'revoke' });

/** In force: issued, not revoked, and not yet expired at `now`. */
export function isActiveGrant(state: GrantState, now: Date): state is { status: 'issued' } & IssuedGrant {
  return state.status === 'issued' && Date.parse(state.expiresAt) > now.getTime();
}

/** Whether the grant is for exactly this platform administrator: its `sub` and its home tenant. */
export function isGrantFor(state: IssuedGrant, grantee: { subject: string; homeTenant: string }): boolean {
  return state.granteeTenant !== null && state.granteeTenant === grantee.homeTenant && state.grantee === grantee.subject;
}

/**
 * A tenant's grant of read access to one platform administrator, until an expiry at most 90 days
 * ahead, revocable at any time. Revoking twice changes nothing (no second event).
 */
export const grantDecider: Decider<GrantCommand, GrantState, GrantEvent> = {
  initialState: { status: 'absent' },

  decide(command: GrantCommand, state: GrantState): GrantEvent[] {
    const facts = { tenantId: command.tenantId, grantId: command.grantId, by: command.by, at: command.now.toISOString() };
    switch (command.kind) {
      case 'issue': {
        const permissions = checkedPermissions(command.permissions);
        const expiresAt = checkedExpiry(command.expiresAt, command.now);
        const errors = [...permissions.errors, ...expiresAt.errors];
        if (command.grantee.trim() === '') errors.push({ path: 'grantee', message: 'must name the platform administrator (token sub)' });
        if (!STREAM_ID_PATTERN.test(command.granteeTenant)) errors.push({ path: 'granteeTenant', message: "must be the platform administrator's home tenant id (token tenant)" });
        if (errors.length) throw new InvalidGrantError(errors);
        if (state.status !== 'absent') throw new GrantAlreadyExistsError(command.grantId);
        return [
          {
            type: CROSS_TENANT_GRANT_ISSUED,
            data: { ...facts, grantee: command.grantee, granteeTenant: command.granteeTenant, permissions: permissions.value, expiresAt: expiresAt.value },
          },
        ];
      }
      case 'revoke':
        if (state.status === 'absent') throw new GrantNotFoundError(command.grantId);
        if (state.status === 'revoked') return [];
        return [{ type: CROSS_TENANT_GRANT_REVOKED, data: facts }];
      default: {
        const unknown: never = command;
        throw new Error(`Unknown grant command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state: GrantState, event: GrantEvent): GrantState {
    switch (event.type) {
      case CROSS_TENANT_GRANT_ISSUED:
      case CROSS_TENANT_GRANT_ISSUED_V1:
        return {
          status: 'issued',
          grantee: event.data.grantee,
          granteeTenant: event.type === CROSS_TENANT_GRANT_ISSUED ? event.data.granteeTenant : null,
          permissions: event.data.permissions,
          expiresAt: event.data.expiresAt,
          issuedAt: event.data.at,
          issuedBy: event.data.by,
        };
      case CROSS_TENANT_GRANT_REVOKED:
        if (state.status !== 'issued') return state;
        return { ...state, status: 'revoked', revokedAt: event.data.at, revokedBy: event.data.by };
      default: {
        const unknown: never = event;
        throw new Error(`Unknown grant event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

type Checked<T> = { value: T; errors: Array<{ path: string; message: string }> };

function checkedPermissions(names: string[]): Checked<Permission[]> {
  const errors = permissionErrors(names, CROSS_TENANT_GRANTABLE_PERMISSIONS, `cannot be granted across tenants (only ${CROSS_TENANT_GRANTABLE_PERMISSIONS.join(', ')})`);
  if (names.length === 0) errors.push({ path: 'permissions', message: 'must name at least one permission' });
  return { value: [...new Set(names as Permission[])].sort(), errors };
}

function checkedExpiry(raw: string, now: Date): Checked<string> {
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return { value: raw, errors: [{ path: 'expiresAt', message: 'must be an ISO-8601 date-time' }] };
  const value = new Date(at).toISOString();
  if (at <= now.getTime()) return { value, errors: [{ path: 'expiresAt', message: 'must be in the future' }] };
  if (at - now.getTime() > MAX_GRANT_MS) return { value, errors: [{ path: 'expiresAt', message: `must be at most ${MAX_GRANT_DAYS} days ahead` }] };
  return { value, errors: [] };
}

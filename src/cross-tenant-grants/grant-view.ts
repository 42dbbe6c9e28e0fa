import { CrossTenantGrantView, toGrantView } from './cross-tenant-grants.read-model';
import { GrantState } from './grant.decider';

/** The API view of a grant as the decider's state holds it. */
export function grantViewOf(grantId: string, state: GrantState, now: Date): CrossTenantGrantView | null {
  if (state.status === 'absent') return null;
  return toGrantView(
    {
      grantId,
      grantee: state.grantee,
      granteeTenant: state.granteeTenant,
      permissions: state.permissions,
      expiresAt: state.expiresAt,
      issuedAt: state.issuedAt,
      issuedBy: state.issuedBy,
      status: state.status,
      revokedAt: state.status === 'revoked' ? state.revokedAt : null,
      revokedBy: state.status === 'revoked' ? state.revokedBy : null,
    },
    now,
  );
}

/** What the audit record of a grant change shows as before/after. */
export function auditedGrantOf(state: GrantState): Record<string, unknown> | null {
  if (state.status === 'absent') return null;
  return { grantee: state.grantee, granteeTenant: state.granteeTenant, permissions: state.permissions, expiresAt: state.expiresAt, status: state.status };
}

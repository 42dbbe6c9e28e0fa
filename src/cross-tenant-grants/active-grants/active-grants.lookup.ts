import { Inject, Injectable } from '@nestjs/common';
import { ActiveGrants, CrossTenantAccess, Grantee } from '../../auth/cross-tenant-access';
import { CROSS_TENANT_GRANTABLE_PERMISSIONS, Permission } from '../../auth/permissions';
import { stateOfStream } from '../../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { grantStreamOf } from '../../event-store/stream-names';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { CROSS_TENANT_GRANTS, CrossTenantGrantDocument } from '../cross-tenant-grants.read-model';
import { grantDecider, isActiveGrant, isGrantFor } from '../grant.decider';
import { decodeGrantEvent } from '../grant.events';

/**
 * The access guard's question "may this platform administrator act in that tenant now?". Nothing is
 * cached. The read model finds the candidate grants (indexed by tenant, grantee, expiry); each is
 * then confirmed against its own event stream, the source of truth, so a revocation is in force the
 * moment it is durable, whatever the projection's lag; expiry is compared with the request's time.
 */
@Injectable()
export class ActiveGrantsLookup implements CrossTenantAccess {
  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  async activeGrants(targetTenantId: string, grantee: Grantee, now: Date): Promise<ActiveGrants> {
    const candidates = (await this.store.find(
      CROSS_TENANT_GRANTS,
      { tenantId: targetTenantId, grantee: grantee.subject, expiresAt: { $gt: now.toISOString() }, status: 'issued' },
      { hint: 'by_grantee', limit: 100 },
    )) as unknown as CrossTenantGrantDocument[];
    const grantIds: string[] = [];
    const permissions = new Set<Permission>();
    for (const candidate of candidates) {
      const state = await stateOfStream(this.events, grantStreamOf(targetTenantId, candidate.grantId), grantDecider, decodeGrantEvent);
      // The stream decides: active now, and for this sub of this home tenant (not the sub alone).
      if (!isActiveGrant(state, now) || !isGrantFor(state, grantee)) continue;
      grantIds.push(candidate.grantId);
      // Defence in depth: whatever a stream says, a grant only ever opens what grants may open.
      state.permissions.filter((p) => (CROSS_TENANT_GRANTABLE_PERMISSIONS as readonly Permission[]).includes(p)).forEach((p) => permissions.add(p));
    }
    return { grantIds, permissions };
  }
}

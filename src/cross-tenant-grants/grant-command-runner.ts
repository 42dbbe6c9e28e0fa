import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { DecidedCommand, decideOnStream } from '../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { grantStreamOf } from '../event-store/stream-names';
import { RequestContext } from '../logging/request-context';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { CROSS_TENANT_GRANTS_PROJECTION } from './cross-tenant-grants.read-model';
import { GrantCommand, grantDecider, GrantState } from './grant.decider';
import { decodeGrantEvent, GrantEvent } from './grant.events';

/** How long a grant change waits for the read model (the list, and the guard's candidate lookup). */
export const GRANT_PROJECTION_WAIT_MS = 5000;

export type GrantCommandInput =
  | { kind: 'issue'; grantId: string; grantee: string; permissions: string[]; expiresAt: string }
  | { kind: 'revoke'; grantId: string };

/**
 * Runs a grant command against `grant-<tenantId>-<grantId>` (read, decide, append with the revision
 * read), then waits for the projection so that an issued grant is usable and listed once this
 * answers. (A revocation is in force as soon as it is appended: the guard confirms every grant
 * against its stream.)
 */
@Injectable()
export class GrantCommandRunner {
  private readonly logger = new Logger('CrossTenantGrants');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async run(principal: Principal, input: GrantCommandInput, now = new Date()): Promise<DecidedCommand<GrantState, GrantEvent>> {
    const command = { ...input, tenantId: principal.tenantId, by: principal.subject, now } as GrantCommand;
    const result = await decideOnStream(this.events, grantStreamOf(principal.tenantId, input.grantId), grantDecider, decodeGrantEvent, command, {
      tenantId: principal.tenantId,
      actorId: principal.subject,
      requestId: RequestContext.current()?.requestId ?? null,
    });
    if (result.position !== null) {
      const applied = await this.projections.runner(CROSS_TENANT_GRANTS_PROJECTION).waitFor(result.position, GRANT_PROJECTION_WAIT_MS);
      if (!applied) this.logger.warn({ msg: 'grant change recorded but not yet projected', grantId: input.grantId });
    }
    return result;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { decideAndProject } from '../event-sourcing/decide-and-project';
import { DecidedCommand } from '../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { grantStreamOf } from '../event-store/stream-names';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { CROSS_TENANT_GRANTS_PROJECTION } from './cross-tenant-grants.read-model';
import { GrantCommand, grantDecider, GrantState } from './grant.decider';
import { decodeGrantEvent, GrantEvent } from './grant.events';

/** How long a grant change waits for the read model (the list, and the guard's candidate lookup). */
export const GRANT_PROJECTION_WAIT_MS = 5000;

export type GrantCommandInput =
  | { kind: 'issue'; grantId: string; grantee: string; granteeTenant: string; permissions: string[]; expiresAt: string }
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

  run(principal: Principal, input: GrantCommandInput, now = new Date()): Promise<DecidedCommand<GrantState, GrantEvent>> {
    return decideAndProject(this.events, this.projections, principal, {
      stream: grantStreamOf(principal.tenantId, input.grantId),
      decider: grantDecider,
      decode: decodeGrantEvent,
      command: { ...input, tenantId: principal.tenantId, by: principal.subject, now } as GrantCommand,
      projection: CROSS_TENANT_GRANTS_PROJECTION,
      waitMs: GRANT_PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { grantId: input.grantId },
    });
  }
}

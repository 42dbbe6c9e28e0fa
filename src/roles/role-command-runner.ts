import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { loadRoleMatrix } from '../auth/role-matrix';
import { Decider } from '../event-sourcing/decider';
import { DecidedCommand, decideOnStream } from '../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { aggregateStreamOf } from '../event-store/stream-names';
import { RequestContext } from '../logging/request-context';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { RoleCommand, roleDecider, RoleState } from './role.decider';
import { decodeRoleEvent, RoleEvent } from './role.events';
import { TENANT_ROLES_PROJECTION } from './tenant-roles.read-model';

/** How long a role change waits for the read model (and so for the permission cache) to reflect it. */
export const ROLE_PROJECTION_WAIT_MS = 5000;

export type RoleCommandInput =
  | { kind: 'define'; name: string; permissions: string[]; description?: string | null }
  | { kind: 'change'; name: string; permissions: string[]; description?: string | null }
  | { kind: 'delete'; name: string };

/**
 * Runs a role command against its stream `role-<tenantId>-<name>` (read, decide, append with the
 * revision read) and waits until the tenant-roles projection has applied the change, so that the
 * response means "in force": the next request already resolves the new permissions.
 */
@Injectable()
export class RoleCommandRunner {
  private readonly logger = new Logger('Roles');
  private readonly decider: Decider<RoleCommand, RoleState, RoleEvent> = roleDecider(loadRoleMatrix().keys());

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async run(principal: Principal, input: RoleCommandInput, now = new Date()): Promise<DecidedCommand<RoleState, RoleEvent>> {
    const command = { ...input, tenantId: principal.tenantId, by: principal.subject, now } as RoleCommand;
    const stream = aggregateStreamOf('role', principal.tenantId, input.name);
    const result = await decideOnStream(this.events, stream, this.decider, decodeRoleEvent, command, {
      tenantId: principal.tenantId,
      actorId: principal.subject,
      requestId: RequestContext.current()?.requestId ?? null,
    });
    if (result.position !== null) {
      const applied = await this.projections.runner(TENANT_ROLES_PROJECTION).waitFor(result.position, ROLE_PROJECTION_WAIT_MS);
      if (!applied) this.logger.warn({ msg: 'role change recorded but not yet projected; it takes effect once the projection catches up', role: input.name });
    }
    return result;
  }
}

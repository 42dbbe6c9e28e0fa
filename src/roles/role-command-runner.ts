import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { loadRoleMatrix } from '../auth/role-matrix';
import { Decider } from '../event-sourcing/decider';
import { decideAndProject } from '../event-sourcing/decide-and-project';
import { DecidedCommand } from '../event-sourcing/decider-stream';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { aggregateStreamOf } from '../event-store/stream-names';
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

  run(principal: Principal, input: RoleCommandInput, now = new Date()): Promise<DecidedCommand<RoleState, RoleEvent>> {
    return decideAndProject(this.events, this.projections, principal, {
      stream: aggregateStreamOf('role', principal.tenantId, input.name),
      decider: this.decider,
      decode: decodeRoleEvent,
      command: { ...input, tenantId: principal.tenantId, by: principal.subject, now } as RoleCommand,
      projection: TENANT_ROLES_PROJECTION,
      waitMs: ROLE_PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { role: input.name },
    });
  }
}

import { Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { RequestContext } from '../logging/request-context';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { Decider, DomainEvent } from './decider';
import { DecidedCommand, DecideOptions, decideOnStream } from './decider-stream';

export interface DecideAndProjectOptions<Command, State, Event extends DomainEvent> extends DecideOptions {
  stream: string;
  decider: Decider<Command, State, Event>;
  decode: (recorded: RecordedEvent) => Event;
  command: Command;
  /** The projection that must have applied the change before the caller is answered. */
  projection: string;
  waitMs: number;
  logger: Logger;
  /** Names the aggregate in the warning logged if the projection is slower than `waitMs`. */
  describe: Record<string, unknown>;
}

/**
 * A configuration command issued by `principal`: decided on its stream (with who/where/request as
 * event metadata), then awaited until `projection` has applied it, so that the change is in force
 * (readable, enforced) once the caller is answered.
 */
export async function decideAndProject<Command, State, Event extends DomainEvent>(
  events: EventStore,
  projections: ProjectionRegistry,
  principal: Principal,
  options: DecideAndProjectOptions<Command, State, Event>,
): Promise<DecidedCommand<State, Event>> {
  const result = await decideOnStream(events, options.stream, options.decider, options.decode, options.command, {
    tenantId: principal.tenantId,
    actorId: principal.subject,
    requestId: RequestContext.current()?.requestId ?? null,
  }, { redecideOnConflict: options.redecideOnConflict });
  if (result.position !== null) {
    const applied = await projections.runner(options.projection).waitFor(result.position, options.waitMs);
    if (!applied) options.logger.warn({ msg: 'change recorded but not yet projected; in force once the projection catches up', ...options.describe });
  }
  return result;
}

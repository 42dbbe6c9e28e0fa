import { INestApplication } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';

/**
 * Resolves true once projection `name` has applied every event stored so far in the streams it reads.
 * The head of the whole log is the wrong target: a projection's checkpoint only moves on events it
 * reads, so waiting for a later event of another stream (a notification, a self-audit record) times out.
 */
export async function projectionSettled(app: INestApplication, name: string, timeoutMs = 10_000): Promise<boolean> {
  const registry = app.get(ProjectionRegistry);
  const head = await app.get<EventStore>(EVENT_STORE).headPosition({ streamPrefixes: registry.streamPrefixes(name) });
  return head === null || registry.runner(name).waitFor(head, timeoutMs);
}

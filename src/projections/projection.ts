import { RecordedEvent } from '../event-store/event-store.port';
import { ProjectionDefinition, ReadModelDocument } from '../read-store/read-store.port';

/** What a projection may do to its read models while applying one event. */
export interface ProjectionWriter {
  /** The document as of the previous events (including earlier events of the current batch). */
  get(collection: string, id: string): Promise<ReadModelDocument | null>;
  /** Replaces the whole document. Do not mutate `doc` after handing it over. */
  put<T extends { id: string }>(collection: string, doc: T): void;
  delete(collection: string, id: string): void;
}

/**
 * A read-model projection. Rules that make replays safe on every adapter:
 * - derive a document only from the event and that same document's previous state;
 * - never read the global clock: use the event's data and `recordedAt`.
 */
export interface Projection {
  readonly definition: ProjectionDefinition;
  /** Only events of streams with these prefixes are delivered. */
  readonly streamPrefixes: string[];
  apply(event: RecordedEvent, writer: ProjectionWriter): void | Promise<void>;
  /**
   * What happens to a stream's later events once one of its events is parked (ADR 009):
   * - 'hold-stream' (default): they are parked too, unapplied, so an aggregate never shows a state
   *   that skips one of its events (e.g. a role revocation);
   * - 'continue-stream': they are applied (each event is an independent document).
   */
  readonly afterParked?: 'hold-stream' | 'continue-stream';
  /**
   * Called, in the commit that parks `event` (failed or held), to leave the read model in a state
   * that is safe without it (fail closed: e.g. drop a role that can no longer be kept current, or
   * mark a tenant's log incomplete). Must not depend on `event.data` being usable.
   */
  parked?(event: RecordedEvent, error: string, writer: ProjectionWriter): void | Promise<void>;
}

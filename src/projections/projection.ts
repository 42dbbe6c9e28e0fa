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
}

import { Position } from '../event-store/event-store.port';
import { ReadModelDocument, ReadStore, WriteOperation } from '../read-store/read-store.port';
import { ProjectionWriter } from './projection';

/**
 * Buffers one batch of a projection's writes in memory, keeping the last write per document.
 *
 * Replay safety: each document carries the position of the event that last wrote it. A write from an
 * event at or before that position was already applied (the batch is being replayed after a crash
 * between data and checkpoint), so it is dropped here when the handler read the document first, and
 * by the store's position guard otherwise.
 */
export class ProjectionBatch implements ProjectionWriter {
  private position: Position | null = null;
  private readonly pending = new Map<string, WriteOperation>();
  /** Stored positions of documents read from the store during this batch (null: absent). */
  private readonly storedPositions = new Map<string, Position | null>();

  constructor(private readonly store: ReadStore) {}

  /** Sets the position of the event being applied. */
  at(position: Position): void {
    this.position = position;
  }

  async get(collection: string, id: string): Promise<ReadModelDocument | null> {
    const key = keyOf(collection, id);
    const pending = this.pending.get(key);
    if (pending) return pending.kind === 'put' ? pending.doc : null;
    const stored = await this.store.getWithPosition(collection, id);
    this.storedPositions.set(key, stored?.position ?? null);
    return stored?.doc ?? null;
  }

  put<T extends { id: string }>(collection: string, doc: T): void {
    const position = this.currentPosition();
    const key = keyOf(collection, doc.id);
    if (!this.alreadyApplied(key, position)) this.pending.set(key, { kind: 'put', collection, doc: doc as unknown as ReadModelDocument, position });
  }

  delete(collection: string, id: string): void {
    const position = this.currentPosition();
    const key = keyOf(collection, id);
    if (!this.alreadyApplied(key, position)) this.pending.set(key, { kind: 'delete', collection, id, position });
  }

  operations(): WriteOperation[] {
    return [...this.pending.values()];
  }

  private alreadyApplied(key: string, position: Position): boolean {
    if (this.pending.has(key)) return false;
    const stored = this.storedPositions.get(key);
    return stored !== undefined && stored !== null && stored >= position;
  }

  private currentPosition(): Position {
    if (this.position === null) throw new Error('ProjectionBatch: at(position) must be called before writing');
    return this.position;
  }
}

function keyOf(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

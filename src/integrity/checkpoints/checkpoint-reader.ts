import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { checkpointStreamOf } from '../../event-store/stream-names';
import { Checkpoint, checkpointOf } from './checkpoint';

const PAGE = 1000;

/** Reads a tenant's checkpoints from its checkpoint stream, oldest first. */
@Injectable()
export class CheckpointReader {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  /** Up to `limit` checkpoints from stream revision `from` on, and the revision after the last one read if more may follow. */
  async page(tenantId: string, from: number, limit: number): Promise<{ items: Checkpoint[]; next: number | null }> {
    const recorded = await this.events.readStream(checkpointStreamOf(tenantId), { fromRevision: from, maxCount: limit + 1 });
    const items = recorded.slice(0, limit).map((event) => checkpointOf(event.data));
    return { items, next: recorded.length > limit ? recorded[limit].revision : null };
  }

  async all(tenantId: string): Promise<Checkpoint[]> {
    const all: Checkpoint[] = [];
    for (let from: number | null = 0; from !== null; ) {
      const { items, next }: { items: Checkpoint[]; next: number | null } = await this.page(tenantId, from, PAGE);
      all.push(...items);
      from = next;
    }
    return all;
  }
}

import { RecordedEvent } from '../../src/event-store/event-store.port';
import { Projection, ProjectionWriter } from '../../src/projections/projection';
import { ProjectionDefinition } from '../../src/read-store/read-store.port';

/**
 * A projection that makes double-applied or lost events visible: one document per event, plus a
 * per-stream counter that is read-modified-written (not idempotent by itself).
 */
export class StreamStatsProjection implements Projection {
  readonly definition: ProjectionDefinition;
  readonly streamPrefixes: string[];

  constructor(prefix: string, version = 1, suffix = '') {
    this.streamPrefixes = [prefix];
    this.definition = {
      name: `stream_stats${suffix}`,
      version,
      collections: [
        { name: `ct_events${suffix}`, fields: { stream: 'string', revision: 'number' }, indexes: [{ name: 'by_stream', keys: [['stream', 1], ['revision', 1]] }] },
        { name: `ct_streams${suffix}`, fields: { count: 'number' }, indexes: [] },
      ],
    };
  }

  get eventsCollection(): string {
    return this.definition.collections[0].name;
  }

  get streamsCollection(): string {
    return this.definition.collections[1].name;
  }

  async apply(event: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    writer.put(this.eventsCollection, { id: event.id, stream: event.stream, revision: event.revision });
    const current = await writer.get(this.streamsCollection, event.stream);
    writer.put(this.streamsCollection, {
      id: event.stream,
      count: ((current?.count as number | undefined) ?? 0) + 1,
      lastRevision: event.revision,
    });
  }
}

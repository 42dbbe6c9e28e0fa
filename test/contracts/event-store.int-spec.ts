import * as path from 'node:path';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { QUERY_MMAP_MIB } from '../../src/config/app-config';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { EVENTSTORE_CONNECTION_STRING, SKIP_ESDB_REASON } from '../support/distributed-stores';
import { makeTempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

describe('EventStore contract: SqliteEventStore', () => {
  eventStoreContract(() => {
    const temp = makeTempDir();
    const file = path.join(temp.dir, 'events.db');
    return {
      // As in the service: bulk reads of the main connection go through a memory map (ADR 032).
      open: async () => new SqliteEventStore({ file, pollIntervalMs: 50, mmapMiB: QUERY_MMAP_MIB }),
      openSecondConnection: async () => new SqliteEventStore({ file, pollIntervalMs: 50 }),
      cleanup: async () => temp.cleanup(),
    };
  });
});

describe('EventStore contract: SqliteEventStore committing on its writer thread (ADR 033)', () => {
  eventStoreContract(() => {
    const temp = makeTempDir();
    const file = path.join(temp.dir, 'events.db');
    return {
      // As in the service's main thread (src/event-store/event-store.module.ts).
      open: async () => new SqliteEventStore({ file, pollIntervalMs: 50, mmapMiB: QUERY_MMAP_MIB, writerThread: true }),
      openSecondConnection: async () => new SqliteEventStore({ file, pollIntervalMs: 50, writerThread: true }),
      cleanup: async () => temp.cleanup(),
    };
  });
});

if (EVENTSTORE_CONNECTION_STRING) {
  describe('EventStore contract: EventStoreDbEventStore', () => {
    eventStoreContract(() => ({
      open: async () => new EventStoreDbEventStore(EVENTSTORE_CONNECTION_STRING!),
      openSecondConnection: async () => new EventStoreDbEventStore(EVENTSTORE_CONNECTION_STRING!),
      cleanup: async () => undefined,
    }));
  });
} else {
  describe.skip(`EventStore contract: EventStoreDbEventStore — ${SKIP_ESDB_REASON}`, () => {
    it('runs where an EventStoreDB server is available', () => undefined);
  });
}

import * as path from 'node:path';
import { EventStore } from '../../src/event-store/event-store.port';
import { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { MongoReadStore } from '../../src/read-store/mongodb/mongo-read-store';
import { LeaseOptions, ReadStore, ReadStoreFaults } from '../../src/read-store/read-store.port';
import { SqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store';
import { EVENTSTORE_CONNECTION_STRING, MONGODB_URI, runToken, SKIP_ESDB_REASON, SKIP_MONGO_REASON } from '../support/distributed-stores';
import { makeTempDir } from '../support/temp-dir';
import { projectionRunnerContract } from './projection-runner.contract';

type EventStoreFactory = { name: string; skip?: string; open: (dir: string) => Promise<EventStore> };
type ReadStoreFactory = { name: string; skip?: string; open: (dir: string, run: string, options?: LeaseOptions & { faults?: ReadStoreFaults }) => Promise<ReadStore>; drop?: (run: string) => Promise<void> };

const eventStores: EventStoreFactory[] = [
  { name: 'SqliteEventStore', open: async (dir) => new SqliteEventStore({ file: path.join(dir, 'events.db'), pollIntervalMs: 50 }) },
  {
    name: 'EventStoreDbEventStore',
    skip: EVENTSTORE_CONNECTION_STRING ? undefined : SKIP_ESDB_REASON,
    open: async () => new EventStoreDbEventStore(EVENTSTORE_CONNECTION_STRING!),
  },
];

const readStores: ReadStoreFactory[] = [
  { name: 'SqliteReadStore', open: async (dir, _run, options) => new SqliteReadStore({ file: path.join(dir, 'read.db'), ...options }) },
  {
    name: 'MongoReadStore',
    skip: MONGODB_URI ? undefined : SKIP_MONGO_REASON,
    open: (_dir, run, options) => MongoReadStore.connect({ uri: MONGODB_URI!, dbName: `runner_${run}`, ...options }),
    drop: async (run) => {
      const store = await MongoReadStore.connect({ uri: MONGODB_URI!, dbName: `runner_${run}` });
      await store.dropDatabase();
      await store.close();
    },
  },
];

for (const eventStore of eventStores) {
  for (const readStore of readStores) {
    const skip = eventStore.skip ?? readStore.skip;
    const title = `ProjectionRunner contract: ${eventStore.name} → ${readStore.name}`;
    if (skip) {
      describe.skip(`${title} — ${skip}`, () => {
        it('runs where the server is available', () => undefined);
      });
      continue;
    }
    describe(title, () => {
      projectionRunnerContract(() => {
        const temp = makeTempDir();
        const run = runToken();
        return {
          events: () => eventStore.open(temp.dir),
          readStore: (options) => readStore.open(temp.dir, run, options),
          cleanup: async () => {
            await readStore.drop?.(run);
            temp.cleanup();
          },
        };
      });
    });
  }
}

import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, EventStoreKind } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { EVENT_STORE, EventStore } from './event-store.port';
import { isMainThread } from 'node:worker_threads';
import { SqliteEventStore, SqliteEventStoreOptions } from './sqlite/sqlite-event-store';

/**
 * With projections in their worker thread, the worker's connection checkpoints the embedded store's
 * WAL and the main thread's appends never do (ADR 031); otherwise SQLite checkpoints on commit.
 */
export function walCheckpointsOf(projectionMode: AppConfig['projections']['mode']): SqliteEventStoreOptions['walCheckpoints'] {
  if (projectionMode !== 'worker') return 'on-commit';
  return isMainThread ? 'by-another-connection' : 'on-a-timer';
}

export function createEventStore(config: AppConfig['eventStore'], walCheckpoints?: SqliteEventStoreOptions['walCheckpoints']): EventStore {
  switch (config.kind) {
    case EventStoreKind.Sqlite:
      return new SqliteEventStore({ file: config.file, walCheckpoints });
    case EventStoreKind.EventStoreDb:
      return new EventStoreDbEventStore(config.connectionString, { maxAppendBytes: config.maxAppendBytes });
    default: {
      const unknown: never = config;
      throw new Error(`Unknown event store ${JSON.stringify(unknown)}`);
    }
  }
}

class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the configured event store adapter under {@link EVENT_STORE}. */
@Global()
@Module({
  providers: [
    { provide: EVENT_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createEventStore(config.eventStore, walCheckpointsOf(config.projections.mode)) },
    EventStoreCloser,
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule {}

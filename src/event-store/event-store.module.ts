import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { isMainThread } from 'node:worker_threads';
import { AppConfig, EventStoreKind } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { EVENT_STORE, EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export function createEventStore(config: AppConfig['eventStore']): EventStore {
  switch (config.kind) {
    case EventStoreKind.Sqlite:
      // Commits off the event loop on the service's main thread; the projection worker commits on its own thread (ADR 033).
      return new SqliteEventStore({ file: config.file, mmapMiB: config.mmapMiB, writerThread: isMainThread });
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
    { provide: EVENT_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createEventStore(config.eventStore) },
    EventStoreCloser,
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule {}

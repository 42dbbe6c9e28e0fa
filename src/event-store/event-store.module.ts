import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, EventStoreKind } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { EVENT_STORE, EventStore } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

export function createEventStore(config: AppConfig['eventStore']): EventStore {
  switch (config.kind) {
    case EventStoreKind.Sqlite:
      return new SqliteEventStore({ file: config.file, mmapMiB: config.mmapMiB });
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

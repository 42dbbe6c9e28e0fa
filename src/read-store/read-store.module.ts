import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, ReadStoreKind } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { MongoReadStore } from './mongodb/mongo-read-store';
import { READ_STORE, ReadStore } from './read-store.port';
import { SqliteReadStore } from './sqlite/sqlite-read-store';

export async function createReadStore(config: AppConfig['readStore'], options: { leaseMs?: number } = {}): Promise<ReadStore> {
  switch (config.kind) {
    case ReadStoreKind.Sqlite:
      return new SqliteReadStore({ file: config.file, cacheMiB: config.cacheMiB, mmapMiB: config.mmapMiB, leaseMs: options.leaseMs });
    case ReadStoreKind.MongoDb:
      return MongoReadStore.connect({ uri: config.uri, writeConcern: config.writeConcern, leaseMs: options.leaseMs });
    default: {
      const unknown: never = config;
      throw new Error(`Unknown read store ${JSON.stringify(unknown)}`);
    }
  }
}

class ReadStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the configured read-model store adapter under {@link READ_STORE}. */
@Global()
@Module({
  providers: [
    { provide: READ_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createReadStore(config.readStore, { leaseMs: config.projections.leaseMs }) },
    ReadStoreCloser,
  ],
  exports: [READ_STORE],
})
export class ReadStoreModule {}

import * as path from 'node:path';
import { MongoReadStore } from '../../src/read-store/mongodb/mongo-read-store';
import { QUERY_MMAP_MIB } from '../../src/config/app-config';
import { SqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store';
import { MONGODB_URI, runToken, SKIP_MONGO_REASON } from '../support/distributed-stores';
import { makeTempDir } from '../support/temp-dir';
import { readStoreContract } from './read-store.contract';

describe('ReadStore contract: SqliteReadStore', () => {
  readStoreContract(() => {
    const temp = makeTempDir();
    // Read through a memory map, as the service's query-side connection does.
    return { open: async (options) => new SqliteReadStore({ file: path.join(temp.dir, 'read.db'), mmapMiB: QUERY_MMAP_MIB, ...options }), cleanup: async () => temp.cleanup() };
  });
});

if (MONGODB_URI) {
  describe('ReadStore contract: MongoReadStore', () => {
    readStoreContract(() => {
      const dbName = `contract_${runToken()}`;
      return {
        open: (options) => MongoReadStore.connect({ uri: MONGODB_URI!, dbName, ...options }),
        cleanup: async () => {
          const store = await MongoReadStore.connect({ uri: MONGODB_URI!, dbName });
          await store.dropDatabase();
          await store.close();
        },
      };
    });
  });
} else {
  describe.skip(`ReadStore contract: MongoReadStore — ${SKIP_MONGO_REASON}`, () => {
    it('runs where a MongoDB server is available', () => undefined);
  });
}

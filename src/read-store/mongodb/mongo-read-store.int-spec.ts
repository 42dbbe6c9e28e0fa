import type { Connection } from 'mongoose';
import { MONGODB_URI, runToken, SKIP_MONGO_REASON } from '../../../test/support/distributed-stores';
import { MongoReadStore } from './mongo-read-store';

const describeWithMongo = MONGODB_URI ? describe : describe.skip;
if (!MONGODB_URI) describe(`${MongoReadStore.name} (${SKIP_MONGO_REASON})`, () => it.todo('runs where MONGODB_URI is set'));

describeWithMongo(MongoReadStore.name, () => {
  const connectionOf = (store: MongoReadStore) => (store as unknown as { connection: Connection }).connection;

  it('writes with majority acknowledgement, journaled, unless configured otherwise', async () => {
    const store = await MongoReadStore.connect({ uri: MONGODB_URI!, dbName: `wc_${runToken()}` });
    const configured = await MongoReadStore.connect({ uri: MONGODB_URI!, dbName: `wc_${runToken()}`, writeConcern: 1 });
    try {
      expect(connectionOf(store).getClient().writeConcern).toMatchObject({ w: 'majority', journal: true });
      expect(connectionOf(configured).getClient().writeConcern).toMatchObject({ w: 1, journal: true });
    } finally {
      await store.close();
      await configured.close();
    }
  });
});

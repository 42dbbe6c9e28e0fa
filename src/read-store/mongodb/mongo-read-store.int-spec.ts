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

  it('purges tombstones once they are older than the TTL, and keeps them (blocking stale puts) until then', async () => {
    let now = Date.parse('2026-11-28T00:00:00Z');
    const ttl = 60 * 60 * 1000;
    const store = await MongoReadStore.connect({ uri: MONGODB_URI!, dbName: `tomb_${runToken()}`, clock: () => now, tombstoneTtlMs: ttl });
    const raw = () => connectionOf(store).collection('tomb_docs').countDocuments({});
    try {
      const definition = { name: 'tomb_probe', version: 1, collections: [{ name: 'tomb_docs', fields: {}, indexes: [] }] };
      await store.prepareProjection(definition);
      const pos = (n: number) => String(n).padStart(20, '0');
      await store.commit('tomb_probe', null, pos(1), [{ kind: 'put', collection: 'tomb_docs', doc: { id: 'a' }, position: pos(1) }]);
      await store.commit('tomb_probe', pos(1), pos(2), [{ kind: 'delete', collection: 'tomb_docs', id: 'a', position: pos(2) }]);
      expect(await raw()).toBe(1); // the tombstone
      now += ttl - 1000;
      // A stale runner's put of an older event (it lost its lease mid-commit) hits the tombstone.
      await store.commit('tomb_probe', pos(2), pos(3), [{ kind: 'put', collection: 'tomb_docs', doc: { id: 'a' }, position: pos(1) }]);
      expect(await store.findById('tomb_docs', 'a')).toBeNull();
      expect(await raw()).toBe(1);
      now += 2000 + ttl / 24; // past the TTL, and past the next sweep time
      await store.commit('tomb_probe', pos(3), pos(4), []);
      expect(await raw()).toBe(0);
    } finally {
      await connectionOf(store).dropDatabase();
      await store.close();
    }
  });
});

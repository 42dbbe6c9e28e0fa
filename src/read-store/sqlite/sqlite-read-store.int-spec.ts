import Database from 'better-sqlite3';
import * as path from 'node:path';
import { makeTempDir } from '../../../test/support/temp-dir';
import { SqliteReadStore } from './sqlite-read-store';

describe(SqliteReadStore.name, () => {
  it('creates the declared indexes, and queries use them', async () => {
    const temp = makeTempDir();
    const file = path.join(temp.dir, 'read.db');
    const store = new SqliteReadStore({ file });
    await store.prepareProjection({
      name: 'log',
      version: 1,
      collections: [
        {
          name: 'entries',
          fields: { tenantId: 'string', occurredAt: 'string', 'actor.id': 'string' },
          indexes: [{ name: 'tenant_actor_time', keys: [['tenantId', 1], ['actor.id', 1], ['occurredAt', -1]] }],
        },
      ],
    });
    await store.close();

    const raw = new Database(file, { readonly: true });
    try {
      const indexes = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_entries'").all();
      expect(indexes).toContainEqual({ name: 'ix_entries_tenant_actor_time' });
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN SELECT doc FROM rm_entries WHERE tenantId = ? AND "f_actor__id" = ? ORDER BY "f_occurredAt" DESC LIMIT 50`.replace('tenantId', '"f_tenantId"'))
        .all('t', 'a') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING INDEX ix_entries_tenant_actor_time/);
      expect(plan.map((p) => p.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
    } finally {
      raw.close();
      temp.cleanup();
    }
  });

  it('waits for a write lock held by another connection without blocking the event loop, then commits', async () => {
    const temp = makeTempDir();
    const file = path.join(temp.dir, 'read.db');
    const store = new SqliteReadStore({ file });
    const other = new Database(file);
    try {
      await store.prepareProjection({ name: 'cursor', version: 1, collections: [] });
      await store.acquireLease('cursor');
      other.prepare('BEGIN IMMEDIATE').run(); // the other connection (a projection worker) holds the write lock
      let turns = 0;
      let counting = true;
      const count = () => {
        turns++;
        if (counting) setImmediate(count);
      };
      setImmediate(count);
      const committed = store.commit('cursor', null, '00000000000000000001', []);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(turns).toBeGreaterThan(10); // the loop kept turning while the commit waited
      other.prepare('COMMIT').run();
      await committed;
      counting = false;
      const checkpoint = await store.getCheckpoint('cursor');
      expect(checkpoint?.position).toBe('00000000000000000001');
      // A lease still held for more than half its time is not written again (no write, no lock).
      other.prepare('BEGIN IMMEDIATE').run();
      await expect(store.acquireLease('cursor')).resolves.toEqual(checkpoint?.lease);
      other.prepare('COMMIT').run();
    } finally {
      other.close();
      await store.close();
      temp.cleanup();
    }
  });
});

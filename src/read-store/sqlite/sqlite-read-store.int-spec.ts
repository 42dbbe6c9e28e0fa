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
});

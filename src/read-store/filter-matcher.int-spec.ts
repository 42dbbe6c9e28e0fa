import * as path from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { matchesFilter } from './filter-matcher';
import { Comparison, Filter, ReadModelDocument } from './read-store.port';
import { SqliteReadStore } from './sqlite/sqlite-read-store';

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const COLLECTION = { name: 'matcher_docs', fields: { kind: 'string', size: 'number', 'owner.id': 'string', 'meta.tag': 'string' }, indexes: [] } as const;

describe('matchesFilter: the same answer as the SQLite adapter for every filter of the port subset', () => {
  const r = rng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const kinds = ['a', 'b', 'c', null];
  const owners = ['alice', 'bob', null];
  const tags = ['x', 'y', null];

  const docs: ReadModelDocument[] = Array.from({ length: 200 }, (_, i) => {
    const doc: ReadModelDocument = { id: `d${String(i).padStart(3, '0')}` };
    const kind = pick(kinds);
    if (kind !== null) doc.kind = kind;
    if (r() < 0.85) doc.size = Math.floor(r() * 10);
    const owner = pick(owners);
    if (owner !== null) doc.owner = { id: owner };
    const tag = pick(tags);
    if (tag !== null) doc.meta = { tag };
    return doc;
  });

  function randomCondition(): Filter {
    const field = pick(['kind', 'size', 'owner.id', 'meta.tag'] as const);
    const value = (): string | number | null => (field === 'size' ? Math.floor(r() * 10) : pick(field === 'kind' ? kinds : field === 'owner.id' ? owners : tags));
    const op = pick(['eq', '$eq', '$ne', '$in', '$gt', '$gte', '$lt', '$lte'] as const);
    if (op === 'eq') return { [field]: value() };
    if (op === '$in') return { [field]: { $in: [value(), value()] } };
    if (op === '$eq' || op === '$ne') return { [field]: { [op]: value() } as Comparison };
    const operand = field === 'size' ? Math.floor(r() * 10) : pick(['a', 'b', 'bob', 'x']);
    return { [field]: { [op]: operand } as Comparison };
  }

  function randomFilter(depth = 0): Filter {
    const roll = r();
    if (depth < 2 && roll < 0.2) return { $or: [randomFilter(depth + 1), randomFilter(depth + 1)] };
    if (depth < 2 && roll < 0.35) return { $and: [randomFilter(depth + 1), randomFilter(depth + 1)] };
    return r() < 0.5 ? randomCondition() : { ...randomCondition(), ...randomCondition() };
  }

  it('agrees on 500 random filters over 200 documents with absent fields', async () => {
    const temp = makeTempDir();
    const store = new SqliteReadStore({ file: path.join(temp.dir, 'read.db'), owner: 'matcher-test' });
    try {
      const definition = { name: 'matcher', version: 1, collections: [COLLECTION as never] };
      await store.prepareProjection(definition);
      await store.commit('matcher', null, '00000000000000000001', docs.map((doc) => ({ kind: 'put' as const, collection: COLLECTION.name, doc, position: '00000000000000000001' })));
      let nonTrivial = 0;
      for (let i = 0; i < 500; i++) {
        const filter = randomFilter();
        const expected = (await store.find(COLLECTION.name, filter, { sort: [['id', 1]] })).map((d) => d.id);
        const actual = docs.filter((d) => matchesFilter(d, filter)).map((d) => d.id);
        expect({ filter, ids: actual }).toEqual({ filter, ids: expected });
        if (expected.length > 0 && expected.length < docs.length) nonTrivial++;
      }
      expect(nonTrivial).toBeGreaterThan(200);
    } finally {
      await store.close();
      temp.cleanup();
    }
  });
});

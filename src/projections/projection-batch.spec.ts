import { ReadStore, StoredDocument } from '../read-store/read-store.port';
import { ProjectionBatch } from './projection-batch';

const pos = (n: number) => String(n).padStart(20, '0');

function storeWith(docs: Record<string, StoredDocument>): ReadStore {
  return { getWithPosition: async (_c: string, id: string) => docs[id] ?? null } as unknown as ReadStore;
}

describe(ProjectionBatch.name, () => {
  it('keeps only the last write per document, with the position of the event that made it', async () => {
    const batch = new ProjectionBatch(storeWith({}));
    batch.at(pos(1));
    batch.put('c', { id: 'a', v: 1 });
    batch.at(pos(2));
    batch.put('c', { id: 'a', v: 2 });
    batch.put('c', { id: 'b', v: 1 });
    batch.at(pos(3));
    batch.delete('c', 'b');
    expect(batch.operations()).toEqual([
      { kind: 'put', collection: 'c', doc: { id: 'a', v: 2 }, position: pos(2) },
      { kind: 'delete', collection: 'c', id: 'b', position: pos(3) },
    ]);
  });

  it('reads its own pending writes before the store', async () => {
    const batch = new ProjectionBatch(storeWith({ a: { doc: { id: 'a', v: 'stored' }, position: pos(1) } }));
    batch.at(pos(2));
    expect(await batch.get('c', 'a')).toEqual({ id: 'a', v: 'stored' });
    batch.put('c', { id: 'a', v: 'pending' });
    expect(await batch.get('c', 'a')).toEqual({ id: 'a', v: 'pending' });
    batch.delete('c', 'a');
    expect(await batch.get('c', 'a')).toBeNull();
  });

  it('drops a read-modify-write from an event the stored document already reflects (replay)', async () => {
    const batch = new ProjectionBatch(storeWith({ a: { doc: { id: 'a', count: 5 }, position: pos(7) } }));
    for (const p of [5, 6, 7]) {
      batch.at(pos(p));
      const doc = await batch.get('c', 'a');
      batch.put('c', { id: 'a', count: (doc!.count as number) + 1 });
    }
    expect(batch.operations()).toEqual([]);

    batch.at(pos(8));
    const doc = await batch.get('c', 'a');
    batch.put('c', { id: 'a', count: (doc!.count as number) + 1 });
    expect(batch.operations()).toEqual([{ kind: 'put', collection: 'c', doc: { id: 'a', count: 6 }, position: pos(8) }]);
  });

  it('refuses writes before a position is set', () => {
    expect(() => new ProjectionBatch(storeWith({})).put('c', { id: 'a' })).toThrow(/at\(position\)/);
  });
});

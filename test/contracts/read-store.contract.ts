import { CheckpointConflictError, DefinitionChangedError, InvalidQueryError, LeaseHeldError, UndeclaredFieldError } from '../../src/read-store/read-store.errors';
import { LeaseOptions, ProjectionDefinition, ReadStore, ReadStoreFaults } from '../../src/read-store/read-store.port';

export type ReadStoreOpenOptions = LeaseOptions & { faults?: ReadStoreFaults };

export interface ReadStoreHarness {
  /** Every store opened by one harness shares the same data (file or database). */
  open(options?: ReadStoreOpenOptions): Promise<ReadStore>;
  cleanup(): Promise<void>;
}

const pos = (n: number) => String(n).padStart(20, '0');

const people = (version = 1, extraField = false): ProjectionDefinition => ({
  name: 'people',
  version,
  collections: [
    {
      name: 'people',
      fields: { tenantId: 'string', age: 'number', 'address.city': 'string', active: 'boolean', ...(extraField ? { nick: 'string' } : {}) },
      indexes: [
        { name: 'tenant_age', keys: [['tenantId', 1], ['age', -1]] },
        { name: 'tenant_city', keys: [['tenantId', 1], ['address.city', 1]] },
      ],
    },
  ],
});

/** The behaviour every read-model store adapter must have. */
export function readStoreContract(makeHarness: () => ReadStoreHarness): void {
  let harness: ReadStoreHarness;
  let store: ReadStore;

  beforeEach(async () => {
    harness = makeHarness();
    store = await harness.open();
  });

  afterEach(async () => {
    await store.close();
    await harness.cleanup();
  });

  async function seed(): Promise<void> {
    await store.prepareProjection(people());
    await store.commit('people', null, pos(5), [
      { kind: 'put', collection: 'people', position: pos(1), doc: { id: 'p1', tenantId: 't1', age: 30, address: { city: 'Oslo' }, active: true } },
      { kind: 'put', collection: 'people', position: pos(2), doc: { id: 'p2', tenantId: 't1', age: 41, address: { city: 'Bergen' }, active: false } },
      { kind: 'put', collection: 'people', position: pos(3), doc: { id: 'p3', tenantId: 't1', age: 25, address: { city: 'Oslo' }, active: true } },
      { kind: 'put', collection: 'people', position: pos(4), doc: { id: 'p4', tenantId: 't2', age: 30, address: { city: 'Oslo' }, active: true } },
      { kind: 'put', collection: 'people', position: pos(5), doc: { id: 'p5', tenantId: 't1', age: 52 } },
    ]);
  }

  it('prepares a projection with an empty checkpoint, commits data and checkpoint together', async () => {
    expect(await store.prepareProjection(people())).toEqual({ position: null, rebuilt: false });
    await seed();
    expect(await store.getCheckpoint('people')).toMatchObject({ name: 'people', version: 1, position: pos(5) });
    expect(await store.findById('people', 'p2')).toEqual({ id: 'p2', tenantId: 't1', age: 41, address: { city: 'Bergen' }, active: false });
    expect(await store.findById('people', 'nobody')).toBeNull();
    expect(await store.getWithPosition('people', 'p3')).toEqual({ doc: expect.objectContaining({ id: 'p3' }), position: pos(3) });
  });

  it('lets several stores (instances starting together) prepare the same projection at once', async () => {
    const starting = await Promise.all(Array.from({ length: 8 }, () => harness.open()));
    try {
      const prepared = await Promise.all(starting.map((s) => s.prepareProjection(people())));
      expect(prepared).toEqual(starting.map(() => ({ position: null, rebuilt: false })));
      await seed();
      expect(await starting[0].findById('people', 'p2')).toMatchObject({ id: 'p2' });
    } finally {
      await Promise.all(starting.map((s) => s.close()));
    }
  });

  it('filters with equality, ranges, $in, $or, $ne, null, nested paths and booleans; sorts and limits', async () => {
    await seed();
    const ids = async (filter: Parameters<ReadStore['find']>[1], sort: Array<[string, 1 | -1]> = [['id', 1]], limit?: number) =>
      (await store.find('people', filter, { sort, limit })).map((d) => d.id);

    expect(await ids({ tenantId: 't1' })).toEqual(['p1', 'p2', 'p3', 'p5']);
    expect(await ids({ tenantId: 't1', age: { $gte: 30, $lt: 52 } })).toEqual(['p1', 'p2']);
    expect(await ids({ tenantId: 't1', 'address.city': 'Oslo' })).toEqual(['p1', 'p3']);
    expect(await ids({ tenantId: 't1', age: { $in: [25, 52] } })).toEqual(['p3', 'p5']);
    expect(await ids({ tenantId: 't1', age: { $in: [] } })).toEqual([]);
    expect(await ids({ tenantId: 't1', $or: [{ age: { $gt: 50 } }, { 'address.city': 'Bergen' }] })).toEqual(['p2', 'p5']);
    expect(await ids({ tenantId: 't1', 'address.city': null })).toEqual(['p5']);
    expect(await ids({ tenantId: 't1', 'address.city': { $ne: 'Oslo' } })).toEqual(['p2', 'p5']);
    expect(await ids({ active: true })).toEqual(['p1', 'p3', 'p4']);
    expect(await ids({ tenantId: 't1' }, [['age', -1]], 2)).toEqual(['p5', 'p2']);
    expect(await ids({ $and: [{ tenantId: 't1' }, { age: { $lte: 30 } }] }, [['age', 1], ['id', 1]])).toEqual(['p3', 'p1']);
    expect(await ids({ id: { $gt: 'p3' } })).toEqual(['p4', 'p5']);
    expect(await store.count('people', { tenantId: 't1' })).toBe(4);
    expect(await store.count('people', {})).toBe(5);
  });

  it('keyset pagination over (age desc, id desc) returns every document exactly once', async () => {
    await seed();
    const seen: string[] = [];
    let after: { age: number; id: string } | null = null;
    for (;;) {
      const filter: Parameters<ReadStore['find']>[1] = after
        ? { tenantId: 't1', $or: [{ age: { $lt: after.age } }, { age: after.age, id: { $lt: after.id } }] }
        : { tenantId: 't1' };
      const page = await store.find('people', filter, { sort: [['age', -1], ['id', -1]], limit: 2 });
      if (page.length === 0) break;
      seen.push(...page.map((d) => d.id));
      const last = page[page.length - 1];
      after = { age: last.age as number, id: last.id };
    }
    expect(seen).toEqual(['p5', 'p2', 'p1', 'p3']);
  });

  it('skips the first matching documents in sort order, with and without a limit, and refuses a negative skip', async () => {
    await seed();
    const sort: Array<[string, 1 | -1]> = [['age', -1], ['id', -1]];
    expect((await store.find('people', { tenantId: 't1' }, { sort, skip: 1, limit: 2 })).map((d) => d.id)).toEqual(['p2', 'p1']);
    expect((await store.find('people', { tenantId: 't1' }, { sort, skip: 2 })).map((d) => d.id)).toEqual(['p1', 'p3']);
    expect(await store.find('people', { tenantId: 't1' }, { sort, skip: 10, limit: 1 })).toEqual([]);
    await expect(store.find('people', {}, { skip: -1 })).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it('refuses queries on undeclared fields', async () => {
    await seed();
    await expect(store.find('people', { name: 'x' })).rejects.toBeInstanceOf(UndeclaredFieldError);
    await expect(store.find('people', {}, { sort: [['name', 1]] })).rejects.toBeInstanceOf(UndeclaredFieldError);
    await expect(store.count('people', { $or: [{ 'address.zip': '1' }] })).rejects.toBeInstanceOf(UndeclaredFieldError);
  });

  it('accepts only the port query language, with operands of the declared type', async () => {
    await seed();
    const bad: Array<Parameters<ReadStore['find']>[1]> = [
      { tenantId: { $regex: '^t' } as never },
      { $where: 'true' } as never,
      { age: '30' },
      { age: { $gt: '29' } },
      { active: 1 as never },
      { tenantId: { $in: 't1' as never } },
      { 'address.city': { $lt: null } as never },
    ];
    for (const filter of bad) await expect(store.find('people', filter)).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(store.find('people', {}, { limit: -1 })).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(store.find('people', {}, { limit: 1.5 })).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it('uses a declared index when hinted, with the same results, and refuses an undeclared one', async () => {
    await seed();
    const plain = await store.find('people', { tenantId: 't1', 'address.city': 'Oslo' }, { sort: [['id', 1]] });
    const hinted = await store.find('people', { tenantId: 't1', 'address.city': 'Oslo' }, { sort: [['id', 1]], hint: 'tenant_city' });
    expect(hinted).toEqual(plain);
    await expect(store.find('people', { tenantId: 't1' }, { hint: 'nope' })).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it('answers a bulk read (an export) exactly as a page read, including what was committed since its last call', async () => {
    await seed();
    const query = { tenantId: 't1' };
    const options = { sort: [['age', -1]] as Array<[string, 1 | -1]>, hint: 'tenant_age' };
    expect(await store.find('people', query, { ...options, bulk: true })).toEqual(await store.find('people', query, options));
    expect(await store.find('people', query, { ...options, skip: 1, limit: 2, bulk: true })).toEqual(await store.find('people', query, { ...options, skip: 1, limit: 2 }));
    await store.commit('people', pos(5), pos(6), [{ kind: 'put', collection: 'people', position: pos(6), doc: { id: 'p6', tenantId: 't1', age: 60 } }]);
    const [newest] = await store.find('people', query, { ...options, limit: 1, bulk: true });
    expect(newest).toMatchObject({ id: 'p6' });
  });

  it('treats limit 0 as nothing and an empty $or as false, alongside other conditions', async () => {
    await seed();
    expect(await store.find('people', {}, { limit: 0 })).toEqual([]);
    expect(await store.find('people', { $or: [], id: 'p1' })).toEqual([]);
    expect(await store.find('people', { $and: [], id: 'p1' })).toHaveLength(1);
  });

  it('stores a document as its JSON form and refuses reserved field names', async () => {
    await store.prepareProjection(people());
    await store.commit('people', null, pos(1), [
      { kind: 'put', collection: 'people', position: pos(1), doc: { id: 'j', tenantId: 't', at: new Date('2026-01-02T03:04:05.000Z'), gone: undefined } },
    ]);
    expect(await store.findById('people', 'j')).toEqual({ id: 'j', tenantId: 't', at: '2026-01-02T03:04:05.000Z' });
    await expect(
      store.commit('people', pos(1), pos(2), [{ kind: 'put', collection: 'people', position: pos(2), doc: { id: 'k', _pos: 'x' } }]),
    ).rejects.toThrow(/reserved/);
  });

  it('guards every write by position: an older write never overwrites or deletes a newer one', async () => {
    await seed();
    await store.commit('people', pos(5), pos(6), [
      { kind: 'put', collection: 'people', position: pos(2), doc: { id: 'p3', tenantId: 't1', age: 99 } },
      { kind: 'delete', collection: 'people', position: pos(1), id: 'p2' },
      { kind: 'put', collection: 'people', position: pos(6), doc: { id: 'p1', tenantId: 't1', age: 31 } },
    ]);
    expect((await store.findById('people', 'p3'))?.age).toBe(25);
    expect(await store.findById('people', 'p2')).not.toBeNull();
    expect(await store.findById('people', 'p1')).toEqual({ id: 'p1', tenantId: 't1', age: 31 });
    await store.commit('people', pos(6), pos(7), [{ kind: 'delete', collection: 'people', position: pos(7), id: 'p2' }]);
    expect(await store.findById('people', 'p2')).toBeNull();
  });

  it('refuses a commit whose expected checkpoint is stale and writes none of it', async () => {
    await seed();
    await expect(
      store.commit('people', pos(4), pos(9), [{ kind: 'put', collection: 'people', position: pos(9), doc: { id: 'p9', tenantId: 't1', age: 1 } }]),
    ).rejects.toBeInstanceOf(CheckpointConflictError);
    expect(await store.findById('people', 'p9')).toBeNull();
    expect((await store.getCheckpoint('people'))?.position).toBe(pos(5));
  });

  it('rebuilds on a version bump, keeps data on the same version, refuses a changed definition under the same version', async () => {
    await seed();
    expect(await store.prepareProjection(people(1))).toEqual({ position: pos(5), rebuilt: false });
    expect(await store.count('people', {})).toBe(5);
    await expect(store.prepareProjection(people(1, true))).rejects.toBeInstanceOf(DefinitionChangedError);

    expect(await store.prepareProjection(people(2, true))).toEqual({ position: null, rebuilt: true });
    expect(await store.count('people', {})).toBe(0);
    expect(await store.getCheckpoint('people')).toMatchObject({ version: 2, position: null });
  });

  it('resets a projection: data and checkpoint are gone', async () => {
    await seed();
    await store.resetProjection(people());
    expect(await store.getCheckpoint('people')).toBeNull();
    expect(await store.prepareProjection(people())).toEqual({ position: null, rebuilt: false });
    expect(await store.count('people', {})).toBe(0);
  });

  describe('one owner per projection (lease, ADR 018)', () => {
    let now: number;
    const clock = () => now;
    const others: ReadStore[] = [];
    const openAs = async (owner: string, faults?: ReadStoreFaults) => {
      const opened = await harness.open({ owner, leaseMs: 1_000, clock, faults });
      others.push(opened);
      return opened;
    };
    const rolesDefinition: ProjectionDefinition = {
      name: 'roles',
      version: 1,
      collections: [{ name: 'roles', fields: { tenantId: 'string', name: 'string' }, indexes: [{ name: 'tenant_name', keys: [['tenantId', 1], ['name', 1]], unique: true }] }],
    };
    const role = (id: string, name: string, position: number) =>
      ({ kind: 'put', collection: 'roles', position: pos(position), doc: { id, tenantId: 't1', name, permissions: ['audit:read'] } }) as const;

    beforeEach(() => {
      now = 1_000_000;
    });
    afterEach(async () => {
      await Promise.all(others.splice(0).map((s) => s.close()));
    });

    it('refuses a commit by a second owner while the first owner\'s lease is live, and lets it take over once the lease expired', async () => {
      const first = await openAs('first');
      const second = await openAs('second');
      await first.prepareProjection(people());
      await second.attachProjection(people());
      await first.commit('people', null, pos(1), [{ kind: 'put', collection: 'people', position: pos(1), doc: { id: 'a', tenantId: 't1' } }]);
      now += 999;
      const refused = second.commit('people', pos(1), pos(2), [{ kind: 'put', collection: 'people', position: pos(2), doc: { id: 'b', tenantId: 't1' } }]);
      await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(refused).rejects.toMatchObject({ owner: 'first', until: new Date(1_000_000 + 1_000) });
      expect(await second.findById('people', 'b')).toBeNull();
      expect(await second.getCheckpoint('people')).toMatchObject({ position: pos(1), lease: { owner: 'first' } });

      now += 1;
      await second.commit('people', pos(1), pos(2), [{ kind: 'put', collection: 'people', position: pos(2), doc: { id: 'b', tenantId: 't1' } }]);
      expect(await first.getCheckpoint('people')).toMatchObject({ position: pos(2), lease: { owner: 'second', until: new Date(now + 1_000) } });
      await expect(first.commit('people', pos(2), pos(2), [])).rejects.toBeInstanceOf(LeaseHeldError);
    });

    it('renews the lease on each commit, and hands it over at once when released', async () => {
      const first = await openAs('first');
      const second = await openAs('second');
      await first.prepareProjection(people());
      await first.commit('people', null, pos(1), []);
      now += 900;
      await first.commit('people', pos(1), pos(1), []); // idle renewal
      now += 900;
      await expect(second.commit('people', pos(1), pos(2), [])).rejects.toBeInstanceOf(LeaseHeldError);
      await first.releaseLease('people');
      await second.commit('people', pos(1), pos(2), []);
      expect((await second.getCheckpoint('people'))?.lease?.owner).toBe('second');
    });

    it('acquireLease refuses while another owner holds a live lease unless forced, and a reset keeps the lease (other owners stand by meanwhile)', async () => {
      const service = await openAs('service');
      const cli = await openAs('cli');
      await service.prepareProjection(people());
      await service.commit('people', null, pos(1), []);
      await expect(cli.acquireLease('people')).rejects.toBeInstanceOf(LeaseHeldError);
      expect(await cli.acquireLease('people', { force: true })).toEqual({ owner: 'cli', until: new Date(now + 1_000) });
      await cli.resetProjection(people());
      expect(await cli.getCheckpoint('people')).toBeNull();
      // Between the rebuild's reset and its prepare the service is told to stand by, not to retry.
      await expect(service.commit('people', pos(1), pos(2), [])).rejects.toBeInstanceOf(LeaseHeldError);
      expect(await cli.prepareProjection(people())).toMatchObject({ position: null });
      await expect(service.commit('people', null, pos(1), [])).rejects.toBeInstanceOf(LeaseHeldError);
      await cli.commit('people', null, pos(3), []);
      expect(await service.getCheckpoint('people')).toMatchObject({ position: pos(3), lease: { owner: 'cli' } });
    });

    it('a runner whose lease expired mid-commit cannot resurrect a document the new owner deleted', async () => {
      let stall: (() => Promise<void>) | null = null;
      const lagging = await openAs('lagging', { afterCheckBeforeData: () => stall?.() });
      const owner = await openAs('owner');
      await owner.prepareProjection(rolesDefinition);
      await lagging.attachProjection(rolesDefinition);
      await owner.commit('roles', null, pos(1), [role('r1', 'auditor', 1)]);
      await owner.releaseLease('roles');
      // The lagging runner's check passes; it stalls past its lease while the owner deletes the role.
      stall = async () => {
        stall = null;
        now += 5_000;
        await owner.commit('roles', pos(1), pos(2), [{ kind: 'delete', collection: 'roles', id: 'r1', position: pos(2) }]);
      };
      // Refused (the checkpoint moved, or the lease is another's), and none of its writes stays.
      const refused = await lagging.commit('roles', pos(1), pos(1), [role('r1', 'auditor', 1)]).then(() => null, (error: unknown) => error);
      expect(refused instanceof CheckpointConflictError || refused instanceof LeaseHeldError).toBe(true);
      expect(await owner.findById('roles', 'r1')).toBeNull();
      expect(await owner.getWithPosition('roles', 'r1')).toBeNull();
      expect(await owner.find('roles', { tenantId: 't1' })).toEqual([]);
      expect(await owner.count('roles', {})).toBe(0);
    });

    it('deleted documents free their unique values: a new document may take the name, and deletes of several never collide', async () => {
      await store.prepareProjection(rolesDefinition);
      await store.commit('roles', null, pos(2), [role('r1', 'auditor', 1), role('r2', 'viewer', 2)]);
      await store.commit('roles', pos(2), pos(4), [
        { kind: 'delete', collection: 'roles', id: 'r1', position: pos(3) },
        { kind: 'delete', collection: 'roles', id: 'r2', position: pos(4) },
      ]);
      await store.commit('roles', pos(4), pos(5), [role('r3', 'auditor', 5)]);
      expect((await store.find('roles', { tenantId: 't1', name: 'auditor' })).map((r) => r.id)).toEqual(['r3']);
      await store.commit('roles', pos(5), pos(6), [role('r1', 'reborn', 6)]);
      expect(await store.findById('roles', 'r1')).toMatchObject({ name: 'reborn' });
      // The unique index still holds among live documents. (Not `rejects.toThrow()`: better-sqlite3's
      // error class comes from the jest module registry that loaded the addon first, so it may not be an
      // `Error` of this one.)
      const duplicate = await store.commit('roles', pos(6), pos(7), [role('r4', 'auditor', 7)]).then(() => null, (error: { message?: string }) => error);
      expect(duplicate?.message).toMatch(/UNIQUE constraint failed|duplicate key/i);
    });
  });
}

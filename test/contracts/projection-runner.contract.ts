import { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { Projection } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { LeaseHeldError } from '../../src/read-store/read-store.errors';
import { LeaseOptions, ReadStore, ReadStoreFaults } from '../../src/read-store/read-store.port';
import { runToken } from '../support/distributed-stores';
import { newEvents } from '../support/new-event.factory';
import { StreamStatsProjection } from '../support/test-projection';

export interface ProjectionHarness {
  events(): Promise<EventStore>;
  /** A read store over the same storage each call (a restart opens a new one). */
  readStore(options?: LeaseOptions & { faults?: ReadStoreFaults }): Promise<ReadStore>;
  cleanup(): Promise<void>;
}

/** The projection runner over a pair of adapters: catch-up, live, crash-safety, rebuild. */
export function projectionRunnerContract(makeHarness: () => ProjectionHarness): void {
  let harness: ProjectionHarness;
  let events: EventStore;
  let prefix: string;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeEach(async () => {
    harness = makeHarness();
    events = await harness.events();
    prefix = `pt${runToken()}-`;
    opened.push(events);
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    await harness.cleanup();
  });

  /** Stores of one instance (the same lease owner) unless `options.owner` says otherwise. */
  async function openReadStore(faults?: ReadStoreFaults, options: LeaseOptions = {}): Promise<ReadStore> {
    const store = await harness.readStore({ owner: `instance-${prefix}`, ...options, faults });
    opened.push(store);
    return store;
  }

  async function appendMany(streams: number, perStream: number): Promise<string> {
    let last = '';
    for (let round = 0; round < perStream; round++) {
      for (let s = 0; s < streams; s++) {
        last = (await events.append(`${prefix}${s}`, newEvents(1), round === 0 ? 'no_stream' : round - 1)).position;
      }
    }
    return last;
  }

  async function expectExactlyOnce(store: ReadStore, projection: StreamStatsProjection, streams: number, perStream: number) {
    expect(await store.count(projection.eventsCollection, {})).toBe(streams * perStream);
    const counters = await store.find(projection.streamsCollection, {}, { sort: [['id', 1]] });
    expect(counters.map((c) => [c.id, c.count, c.lastRevision])).toEqual(
      Array.from({ length: streams }, (_, s) => [`${prefix}${s}`, perStream, perStream - 1]).sort(),
    );
  }

  it('catches up from the log, then applies live appends, and reports its checkpoint', async () => {
    const store = await openReadStore();
    const projection = new StreamStatsProjection(prefix);
    await appendMany(3, 4);
    await events.append('unrelated-stream', newEvents(2), 'any');

    const runner = new ProjectionRunner(projection, events, store, { batchSize: 5 });
    await runner.prepare();
    runner.start();
    try {
      const head = await events.headPosition({ streamPrefixes: [prefix] });
      expect(await runner.waitFor(head!, 10_000)).toBe(true);
      await expectExactlyOnce(store, projection, 3, 4);

      const live = await appendMany(0, 0).then(() => events.append(`${prefix}0`, newEvents(3), 3));
      expect(await runner.waitFor(live.position, 10_000)).toBe(true);
      expect((await store.findById(projection.streamsCollection, `${prefix}0`))?.count).toBe(7);
      expect(runner.status()).toMatchObject({ name: 'stream_stats', state: 'live', checkpoint: live.position, lastError: null });
      expect((await store.getCheckpoint('stream_stats'))?.position).toBe(live.position);
    } finally {
      await runner.stop();
    }
  });

  it('neither loses nor double-applies events when it crashes between data and checkpoint', async () => {
    const projection = new StreamStatsProjection(prefix);
    await appendMany(4, 10);

    let commits = 0;
    const crashing = await openReadStore({
      afterDataBeforeCheckpoint: () => {
        commits += 1;
        // An I/O error, as a crash would leave it: a store failure, never blamed on (and parked with) the events.
        if (commits === 3) throw Object.assign(new Error('injected crash between data and checkpoint'), { code: 'SQLITE_IOERR' });
      },
    });
    const first = new ProjectionRunner(projection, events, crashing, { batchSize: 7 });
    await first.prepare();
    await expect(first.catchUp()).rejects.toThrow('injected crash');
    expect((await crashing.getCheckpoint('stream_stats'))?.position).not.toBeNull();

    // "Restart": new store connection, new runner, resume from the stored checkpoint.
    const restarted = await openReadStore();
    const second = new ProjectionRunner(projection, events, restarted, { batchSize: 7 });
    await second.prepare();
    await second.catchUp();
    await expectExactlyOnce(restarted, projection, 4, 10);
  });

  it('rebuilds from zero when the version is bumped, with the same result', async () => {
    const store = await openReadStore();
    await appendMany(2, 5);
    const v1 = new ProjectionRunner(new StreamStatsProjection(prefix, 1), events, store);
    await v1.prepare();
    await v1.catchUp();

    const projection = new StreamStatsProjection(prefix, 2);
    const v2 = new ProjectionRunner(projection, events, store);
    await v2.prepare();
    expect(v2.status().checkpoint).toBeNull();
    expect(await store.count(projection.eventsCollection, {})).toBe(0);
    expect(await v2.catchUp()).toBe(10);
    await expectExactlyOnce(store, projection, 2, 5);
  });

  it('keeps retrying a failing event instead of skipping it, and reports the failure', async () => {
    const store = await openReadStore();
    await appendMany(1, 3);
    const projection = new StreamStatsProjection(prefix);
    let failures = 2;
    const flaky = Object.assign(Object.create(projection), {
      apply: async (...args: Parameters<StreamStatsProjection['apply']>) => {
        if (args[0].revision === 1 && failures-- > 0) throw new Error('transient failure');
        return projection.apply(...args);
      },
    }) as StreamStatsProjection;
    const runner = new ProjectionRunner(flaky, events, store, { retryDelayMs: 20 });
    await runner.prepare();
    runner.start();
    try {
      const head = await events.headPosition({ streamPrefixes: [prefix] });
      expect(await runner.waitFor(head!, 10_000)).toBe(true);
      await expectExactlyOnce(store, projection, 1, 3);
      expect(failures).toBe(-1);
    } finally {
      await runner.stop();
    }
  });

  /** The projection, except that applying the events `poison` picks throws (always). */
  function poisoned(projection: StreamStatsProjection, poison: (event: RecordedEvent) => boolean, extra: Partial<Projection> = {}): StreamStatsProjection {
    return Object.assign(Object.create(projection), {
      ...extra,
      apply: async (...args: Parameters<StreamStatsProjection['apply']>) => {
        if (poison(args[0])) throw new Error(`cannot apply ${args[0].stream}@${args[0].revision}`);
        return projection.apply(...args);
      },
    }) as StreamStatsProjection;
  }

  it('parks an event that keeps failing, holds the rest of its stream, and applies every other stream', async () => {
    const store = await openReadStore();
    await appendMany(3, 4);
    const projection = new StreamStatsProjection(prefix);
    const failing = poisoned(projection, (e) => e.stream === `${prefix}1` && e.revision === 1);
    const runner = new ProjectionRunner(failing, events, store, { retryDelayMs: 5 });
    await runner.prepare();
    await runner.catchUp();

    const head = await events.headPosition({ streamPrefixes: [prefix] });
    expect(runner.status().checkpoint).toBe(head);
    const counters = await store.find(projection.streamsCollection, {}, { sort: [['id', 1]] });
    expect(counters.map((c) => [c.id, c.count])).toEqual([[`${prefix}0`, 4], [`${prefix}1`, 1], [`${prefix}2`, 4]]);
    expect(runner.status()).toMatchObject({
      parkedCount: 3,
      parked: [
        { stream: `${prefix}1`, revision: 1, reason: 'failed', error: `cannot apply ${prefix}1@1` },
        { stream: `${prefix}1`, revision: 2, reason: 'held' },
        { stream: `${prefix}1`, revision: 3, reason: 'held' },
      ],
    });

    // After a restart the parked events are still reported and the stream is still held.
    const restarted = new ProjectionRunner(failing, events, await openReadStore(), { retryDelayMs: 5 });
    await restarted.prepare();
    expect(restarted.status().parkedCount).toBe(3);
    await events.append(`${prefix}1`, newEvents(1), 3);
    await restarted.catchUp();
    expect((await store.findById(projection.streamsCollection, `${prefix}1`))?.count).toBe(1);
    expect(restarted.status().parked.map((p) => [p.revision, p.reason])).toEqual([[1, 'failed'], [2, 'held'], [3, 'held'], [4, 'held']]);

    // A rebuild retries every parked event; once the cause is gone nothing stays parked.
    const fixed = new ProjectionRunner(projection, events, store);
    await fixed.prepare();
    await fixed.reset();
    await fixed.catchUp();
    expect(fixed.status()).toMatchObject({ parkedCount: 0, parked: [] });
    expect((await store.findById(projection.streamsCollection, `${prefix}1`))?.count).toBe(5);
  });

  it('a live runner applies a held stream again once a rebuild elsewhere has applied its parked event', async () => {
    const store = await openReadStore();
    await appendMany(2, 2);
    const projection = new StreamStatsProjection(prefix);
    const live = new ProjectionRunner(poisoned(projection, (e) => e.stream === `${prefix}0` && e.revision === 1), events, store, { retryDelayMs: 5 });
    await live.prepare();
    await live.catchUp();
    expect(live.status().parkedCount).toBe(1);

    // Another owner (the rebuild CLI): takes the lease, rebuilds, gives the lease back.
    const rebuildStore = await openReadStore(undefined, { owner: 'rebuild-cli' });
    const rebuild = new ProjectionRunner(projection, events, rebuildStore);
    await rebuildStore.releaseLease('never-held'); // a no-op
    await rebuildStore.acquireLease('stream_stats', { force: true });
    await rebuild.prepare();
    await rebuild.reset();
    await rebuild.catchUp();
    await rebuildStore.releaseLease('stream_stats');

    live.start();
    try {
      const appended = await events.append(`${prefix}0`, newEvents(1), 1);
      expect(await live.waitFor(appended.position, 10_000)).toBe(true);
      expect(live.status()).toMatchObject({ parkedCount: 0, parked: [] });
      expect((await store.findById(projection.streamsCollection, `${prefix}0`))?.count).toBe(3);
    } finally {
      await live.stop();
    }
  });

  it('applies the later events of a stream when the projection says its events are independent', async () => {
    const store = await openReadStore();
    await appendMany(2, 3);
    const projection = new StreamStatsProjection(prefix);
    const failing = poisoned(projection, (e) => e.stream === `${prefix}0` && e.revision === 0, { afterParked: 'continue-stream' });
    const runner = new ProjectionRunner(failing, events, store, { retryDelayMs: 5 });
    await runner.prepare();
    await runner.catchUp();
    expect(runner.status().parked.map((p) => [p.stream, p.revision, p.reason])).toEqual([[`${prefix}0`, 0, 'failed']]);
    expect(await store.count(projection.eventsCollection, {})).toBe(5);
  });

  it('never parks an event because the store is busy: it retries the batch until the store answers', async () => {
    const projection = new StreamStatsProjection(prefix);
    await appendMany(2, 3);
    let busy = 4;
    const store = await openReadStore({
      afterDataBeforeCheckpoint: () => {
        if (busy-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      },
    });
    const runner = new ProjectionRunner(projection, events, store, { retryDelayMs: 5 });
    await runner.prepare();
    runner.start();
    try {
      const head = await events.headPosition({ streamPrefixes: [prefix] });
      expect(await runner.waitFor(head!, 10_000)).toBe(true);
      expect(runner.status().parkedCount).toBe(0);
      await expectExactlyOnce(store, projection, 2, 3);
    } finally {
      await runner.stop();
    }
  });

  describe('two instances (one owner per projection, ADR 018)', () => {
    it('the second instance stands by, follows the owner\'s checkpoint for read-your-writes, and takes over when the owner stops', async () => {
      await appendMany(3, 3);
      const projection = new StreamStatsProjection(prefix);
      const fast = { leaseRenewMs: 50, followPollMs: 20 };
      const firstStore = await openReadStore(undefined, { owner: 'first', leaseMs: 60_000 });
      const secondStore = await openReadStore(undefined, { owner: 'second', leaseMs: 60_000 });
      const first = new ProjectionRunner(projection, events, firstStore, fast);
      const second = new ProjectionRunner(projection, events, secondStore, fast);
      await first.prepare();
      await first.catchUp();
      await second.prepare();
      let commitsBySecond = 0;
      const commit = secondStore.commit.bind(secondStore);
      secondStore.commit = async (...args) => {
        commitsBySecond += 1;
        return commit(...args);
      };
      const eventually = async (condition: () => boolean) => {
        for (let waited = 0; !condition() && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
        return condition();
      };
      first.start();
      second.start();
      try {
        expect(await eventually(() => second.status().state === 'standby')).toBe(true);
        const appended = await events.append(`${prefix}0`, newEvents(2), 2);
        expect(await second.waitFor(appended.position, 10_000)).toBe(true);
        expect(second.status().state).toBe('standby');
        expect(first.status().state).toBe('live');
        // Standby waits for the lease to expire (60 s) instead of retrying: at most one refused attempt by the live loop and one by the idle renewal.
        expect(commitsBySecond).toBeLessThanOrEqual(2);

        await first.stop(); // releases the lease: the standby takes over at once, not after 60 s
        const next = await events.append(`${prefix}1`, newEvents(1), 2);
        expect(await second.waitFor(next.position, 10_000)).toBe(true);
        expect(await eventually(() => second.status().state === 'live')).toBe(true);
        expect((await secondStore.getCheckpoint('stream_stats'))?.lease?.owner).toBe('second');
        expect((await secondStore.findById(projection.streamsCollection, `${prefix}0`))?.count).toBe(5);
        expect((await secondStore.findById(projection.streamsCollection, `${prefix}1`))?.count).toBe(4);
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
    });

    it('a runner that does not hold the lease refuses to apply in catch-up (LeaseHeldError), writing nothing', async () => {
      await appendMany(1, 2);
      const projection = new StreamStatsProjection(prefix);
      const owner = await openReadStore(undefined, { owner: 'owner' });
      const other = await openReadStore(undefined, { owner: 'other' });
      const runner = new ProjectionRunner(projection, events, other);
      await runner.prepare();
      await owner.acquireLease('stream_stats');
      await expect(runner.catchUp()).rejects.toBeInstanceOf(LeaseHeldError);
      expect(await other.count(projection.eventsCollection, {})).toBe(0);
    });
  });
}

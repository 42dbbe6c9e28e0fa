import { InvalidAppendError, InvalidTruncationError, WrongExpectedRevisionError } from '../../src/event-store/event-store.errors';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { runToken } from '../support/distributed-stores';
import { newEvent, newEvents } from '../support/new-event.factory';

export interface EventStoreHarness {
  /** A store over fresh (or run-isolated) storage. */
  open(): Promise<EventStore>;
  /** A second, independent connection to the same storage as the last open(). */
  openSecondConnection(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

/** The behaviour every event store adapter must have. */
export function eventStoreContract(makeHarness: () => EventStoreHarness): void {
  let harness: EventStoreHarness;
  let store: EventStore;
  let run: string;
  const streamOf = (name: string) => `ct${run}${name}`;

  beforeEach(async () => {
    harness = makeHarness();
    store = await harness.open();
    run = runToken();
  });

  afterEach(async () => {
    await store.close();
    await harness.cleanup();
  });

  it('appends and reads back a stream: ids, types, data, metadata, revisions from 0, increasing positions', async () => {
    const stream = streamOf('-roundtrip');
    const events = newEvents(3);
    const first = await store.append(stream, events.slice(0, 2), 'no_stream');
    const second = await store.append(stream, events.slice(2), first.nextExpectedRevision);

    expect(first.nextExpectedRevision).toBe(1);
    expect(second.nextExpectedRevision).toBe(2);
    expect(second.position > first.position).toBe(true);

    const read = await store.readStream(stream);
    expect(read.map((e) => [e.id, e.type, e.stream, e.revision, e.data, e.metadata])).toEqual(
      events.map((e, i) => [e.id, e.type, stream, i, e.data, e.metadata]),
    );
    expect(read.every((e) => e.recordedAt instanceof Date && !Number.isNaN(e.recordedAt.getTime()))).toBe(true);
    expect(read[1].position).toBe(first.position);
    expect(read[2].position).toBe(second.position);
    expectStrictlyIncreasing(read);
  });

  it('reads backwards, from a revision, and with maxCount; an absent stream reads as empty', async () => {
    const stream = streamOf('-directions');
    await store.append(stream, newEvents(5), 'no_stream');

    expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
    expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })).map((e) => e.revision)).toEqual([3, 2]);
    expect((await store.readStream(stream, { fromRevision: 2, maxCount: 2 })).map((e) => e.revision)).toEqual([2, 3]);
    expect(await store.readStream(streamOf('-absent'))).toEqual([]);
  });

  it('rejects a wrong expected revision with WrongExpectedRevisionError and writes nothing', async () => {
    const stream = streamOf('-concurrency');
    await store.append(stream, newEvents(2), 'no_stream');

    await expect(store.append(stream, [newEvent()], 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append(stream, [newEvent()], 5)).rejects.toMatchObject({ stream, expected: 5, actual: 1 });
    await expect(store.append(stream, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append(streamOf('-nothing'), [newEvent()], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append(streamOf('-nothing'), [newEvent()], 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);

    expect(await store.readStream(stream)).toHaveLength(2);
    expect(await store.readStream(streamOf('-nothing'))).toHaveLength(0);
    await expect(store.append(stream, [newEvent()], 'any')).resolves.toMatchObject({ nextExpectedRevision: 2 });
    await expect(store.append(stream, [newEvent()], 'stream_exists')).resolves.toMatchObject({ nextExpectedRevision: 3 });
  });

  it('refuses an empty append', async () => {
    await expect(store.append(streamOf('-empty'), [], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
  });

  it('reads revisions picked at random: oldest first, data as JSON text, nothing for revisions it does not hold', async () => {
    const stream = streamOf('-revisions');
    const events = newEvents(60);
    await store.append(stream, events, 'no_stream');

    const read = await store.readRevisions(stream, [42, 3, 4, 59, 3, 100]);
    expect(read.map((r) => r.revision)).toEqual([3, 4, 42, 59]);
    expect(read.map((r) => [r.type, JSON.parse(r.json)])).toEqual([3, 4, 42, 59].map((i) => [events[i].type, events[i].data]));
    expect(await store.readRevisions(stream, [])).toEqual([]);
    expect(await store.readRevisions(streamOf('-absent'), [0, 1])).toEqual([]);

    await store.truncateBefore(stream, 10);
    expect((await store.readRevisions(stream, [2, 9, 10, 30])).map((r) => r.revision)).toEqual([10, 30]);
  });

  it('answers a bulk read of revisions (an export) exactly as a plain one, including what was appended since its last call', async () => {
    const stream = streamOf('-bulk');
    const events = newEvents(30);
    await store.append(stream, events.slice(0, 20), 'no_stream');
    const wanted = [19, 0, 7, 8, 9];
    expect(await store.readRevisions(stream, wanted, { bulk: true })).toEqual(await store.readRevisions(stream, wanted));
    await store.append(stream, events.slice(20), 19);
    const newest = await store.readRevisions(stream, [27, 28, 29], { bulk: true });
    expect(newest.map((r) => JSON.parse(r.json))).toEqual([27, 28, 29].map((i) => events[i].data));
    await store.truncateBefore(stream, 8);
    expect((await store.readRevisions(stream, wanted, { bulk: true })).map((r) => r.revision)).toEqual([8, 9, 19]);
  });

  it('truncateBefore expires the front of a stream for every reader; revisions, appends and other streams go on', async () => {
    const stream = streamOf('-retention');
    const untouched = streamOf('-retention~other');
    await store.append(stream, newEvents(6), 'no_stream');
    await store.append(untouched, newEvents(2), 'no_stream');
    expect(await store.retainedFrom(stream)).toBe(0);

    await store.truncateBefore(stream, 4);

    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([4, 5]);
    expect((await store.readStream(stream, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([4, 5]);
    expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([5, 4]);
    expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 3 })).map((e) => e.revision)).toEqual([]);
    expect(await store.retainedFrom(stream)).toBe(4);
    expect(await store.readStream(untouched)).toHaveLength(2);
    const other = await harness.openSecondConnection();
    try {
      expect((await other.readStream(stream)).map((e) => e.revision)).toEqual([4, 5]);
    } finally {
      await other.close();
    }
    await expect(store.append(stream, newEvents(1), 5)).resolves.toMatchObject({ nextExpectedRevision: 6 });
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([4, 5, 6]);
  });

  it('truncateBefore never lowers the horizon, never reaches past the head + 1, and refuses a malformed revision', async () => {
    const stream = streamOf('-horizon');
    await store.append(stream, newEvents(3), 'no_stream');
    await store.truncateBefore(stream, 2);

    await store.truncateBefore(stream, 1);
    expect(await store.retainedFrom(stream)).toBe(2);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([2]);

    await expect(store.truncateBefore(stream, 5)).rejects.toBeInstanceOf(InvalidTruncationError);
    await expect(store.truncateBefore(stream, -1)).rejects.toBeInstanceOf(InvalidTruncationError);
    await expect(store.truncateBefore(streamOf('-absent'), 1)).rejects.toBeInstanceOf(InvalidTruncationError);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([2]);

    await store.truncateBefore(stream, 3);
    expect(await store.readStream(stream)).toEqual([]);
    await expect(store.append(stream, newEvents(1), 2)).resolves.toMatchObject({ nextExpectedRevision: 3 });
  });

  it('lets exactly one of two concurrent appenders win each revision', async () => {
    const stream = streamOf('-race');
    const other = await harness.openSecondConnection();
    try {
      await store.append(stream, [newEvent()], 'no_stream');
      const winners: string[] = [];
      for (let revision = 0; revision < 20; revision++) {
        const a = newEvent({ data: { by: 'a', revision } });
        const b = newEvent({ data: { by: 'b', revision } });
        const results = await Promise.allSettled([store.append(stream, [a], revision), other.append(stream, [b], revision)]);
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0].reason).toBeInstanceOf(WrongExpectedRevisionError);
        winners.push(results[0].status === 'fulfilled' ? a.id : b.id);
      }
      const read = await store.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      expect(read.slice(1).map((e) => e.id)).toEqual(winners);
    } finally {
      await other.close();
    }
  });

  it('keeps every event when concurrent appenders retry on conflict (read head, append, retry)', async () => {
    const stream = streamOf('-retry');
    const other = await harness.openSecondConnection();
    let conflicts = 0;
    const appender = (s: EventStore, who: string) => async () => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const event = newEvent({ data: { who, i } });
        for (;;) {
          const [head] = await s.readStream(stream, { direction: 'backwards', maxCount: 1 });
          try {
            await s.append(stream, [event], head ? head.revision : 'no_stream');
            ids.push(event.id);
            break;
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
            conflicts += 1;
          }
        }
      }
      return ids;
    };
    try {
      const [fromA, fromB] = await Promise.all([appender(store, 'a')(), appender(other, 'b')()]);
      const read = await store.readStream(stream);
      expect(read).toHaveLength(50);
      expect(new Set(read.map((e) => e.id))).toEqual(new Set([...fromA, ...fromB]));
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(conflicts).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('reads $all in global order, filtered by stream prefix, strictly after a position, in pages', async () => {
    const a1 = streamOf('-alpha-1');
    const b1 = streamOf('-beta-1');
    const a2 = streamOf('-alpha-2');
    const appended: Array<{ stream: string; id: string }> = [];
    for (const stream of [a1, b1, a2, a1, b1, a2]) {
      const event = newEvent();
      await store.append(stream, [event], 'any');
      appended.push({ stream, id: event.id });
    }
    const alpha = await store.readAll({ filter: { streamPrefixes: [streamOf('-alpha-')] }, maxCount: 100 });
    expect(alpha.map((e) => e.id)).toEqual(appended.filter((e) => e.stream !== b1).map((e) => e.id));
    expectStrictlyIncreasing(alpha);

    const both = await store.readAll({ filter: { streamPrefixes: [streamOf('-alpha-'), streamOf('-beta-')] }, maxCount: 100 });
    expect(both.map((e) => e.id)).toEqual(appended.map((e) => e.id));

    const page1 = await store.readAll({ filter: { streamPrefixes: [streamOf('-')] }, maxCount: 4 });
    const page2 = await store.readAll({ after: page1[page1.length - 1].position, filter: { streamPrefixes: [streamOf('-')] }, maxCount: 4 });
    expect(page1).toHaveLength(4);
    expect([...page1, ...page2].map((e) => e.id)).toEqual(appended.map((e) => e.id));

    expect(await store.headPosition({ streamPrefixes: [streamOf('-alpha-')] })).toBe(alpha[alpha.length - 1].position);
    expect(await store.headPosition({ streamPrefixes: [streamOf('-none-')] })).toBeNull();
  });

  it('reads and subscribes to a few small streams among a large one: every event, in log order, in pages of any size', async () => {
    const bulk = streamOf('-bulk');
    const rare = (n: number) => streamOf(`-rare-${n}`);
    const expected: string[] = [];
    for (let round = 0; round < 6; round++) {
      await store.append(bulk, newEvents(500), 'any');
      for (const n of [round % 3, (round + 1) % 3]) {
        const event = newEvent();
        await store.append(rare(n), [event], 'any');
        expected.push(event.id);
      }
    }
    await store.append(bulk, newEvents(200), 'any');
    const filter = { streamPrefixes: [streamOf('-rare-')] };
    for (const pageSize of [1, 5, 100]) {
      const read: RecordedEvent[] = [];
      let after: RecordedEvent['position'] | undefined;
      for (;;) {
        const page = await store.readAll({ after, filter, maxCount: pageSize });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(pageSize);
        read.push(...page);
        after = page[page.length - 1].position;
      }
      expect(read.map((e) => e.id)).toEqual(expected);
      expectStrictlyIncreasing(read);
    }
    const subscription = store.subscribeToAll({ filter });
    const received = collect(subscription, expected.length + 1);
    const live = newEvent();
    await store.append(rare(2), [live], 'any');
    expect((await received).map((e) => e.id)).toEqual([...expected, live.id]);
    await subscription.close();
  });

  it('subscribes to $all: catches up from a position, then delivers live appends, until closed', async () => {
    const prefix = streamOf('-sub-');
    const before = await store.append(`${prefix}1`, newEvents(2), 'no_stream');
    await store.append(`${prefix}2`, newEvents(1), 'no_stream');
    await store.append(streamOf('-other'), newEvents(1), 'no_stream');

    const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
    const fromMiddle = store.subscribeToAll({ after: before.position, filter: { streamPrefixes: [prefix] } });
    const received = collect(subscription, 5);
    const receivedFromMiddle = collect(fromMiddle, 3);
    await new Promise((r) => setTimeout(r, 200));
    await store.append(`${prefix}1`, newEvents(2), 1);

    const all = await received;
    expect(all.map((e) => [e.stream, e.revision])).toEqual([
      [`${prefix}1`, 0],
      [`${prefix}1`, 1],
      [`${prefix}2`, 0],
      [`${prefix}1`, 2],
      [`${prefix}1`, 3],
    ]);
    expectStrictlyIncreasing(all);
    expect((await receivedFromMiddle).map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));

    await subscription.close();
    await fromMiddle.close();
  });
}

async function collect(subscription: AsyncIterable<RecordedEvent>, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${events.length}/${count} events arrived`)), timeoutMs).unref());
  const reading = (async () => {
    for await (const event of subscription) {
      events.push(event);
      if (events.length === count) break;
    }
    return events;
  })();
  return Promise.race([reading, timeout]);
}

function expectStrictlyIncreasing(events: RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(events[i].position > events[i - 1].position).toBe(true);
}

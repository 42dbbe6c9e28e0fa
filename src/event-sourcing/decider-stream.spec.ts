import { WrongExpectedRevisionError } from '../event-store/event-store.errors';
import { AppendResult, EventStore, ExpectedRevision, NewEvent, RecordedEvent } from '../event-store/event-store.port';
import { Decider, DomainEvent } from './decider';
import { decideOnStream, stateOfStream } from './decider-stream';

type Added = DomainEvent<'Added.v1', { amount: number }>;
type Command = { add: number };

/** A counter that refuses to go above 10 and ignores additions of zero. */
const counter: Decider<Command, number, Added> = {
  initialState: 0,
  decide: ({ add }, total) => {
    if (total + add > 10) throw new Error('too much');
    return add === 0 ? [] : [{ type: 'Added.v1', data: { amount: add } }];
  },
  evolve: (total, event) => total + event.data.amount,
};

/** A one-stream in-memory event store that checks expected revisions like the real adapters. */
function memoryStore() {
  const events: RecordedEvent[] = [];
  const appends: Array<{ expected: ExpectedRevision; events: NewEvent[] }> = [];
  const store = {
    async readStream() {
      return [...events];
    },
    async append(stream: string, added: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
      appends.push({ expected, events: added });
      const head = events.length - 1;
      if ((expected === 'no_stream' && head !== -1) || (typeof expected === 'number' && expected !== head)) throw new WrongExpectedRevisionError(stream, expected, head);
      for (const e of added) {
        events.push({ ...e, stream, revision: events.length, position: String(events.length).padStart(20, '0'), metadata: e.metadata ?? {}, recordedAt: new Date() });
      }
      return { nextExpectedRevision: events.length - 1, position: String(events.length - 1).padStart(20, '0') };
    },
  } as unknown as EventStore;
  return { store, events, appends };
}

const decode = (recorded: RecordedEvent) => ({ type: recorded.type, data: recorded.data }) as unknown as Added;

describe(decideOnStream.name, () => {
  it('creates the stream with expected revision no_stream, then appends at the revision it read', async () => {
    const { store, appends } = memoryStore();
    const first = await decideOnStream(store, 's', counter, decode, { add: 3 }, { by: 'alice' });
    expect(first).toMatchObject({ before: 0, after: 3, revision: 0, position: '00000000000000000000' });
    const second = await decideOnStream(store, 's', counter, decode, { add: 4 });
    expect(second).toMatchObject({ before: 3, after: 7, revision: 1 });
    expect(appends.map((a) => a.expected)).toEqual(['no_stream', 0]);
    expect(appends[0].events[0]).toMatchObject({ type: 'Added.v1', data: { amount: 3 }, metadata: { by: 'alice' }, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('appends nothing when the decider decides nothing', async () => {
    const { store, appends } = memoryStore();
    await decideOnStream(store, 's', counter, decode, { add: 2 });
    expect(await decideOnStream(store, 's', counter, decode, { add: 0 })).toEqual({ before: 2, after: 2, events: [], position: null, revision: 0 });
    expect(appends).toHaveLength(1);
  });

  it("lets the decider's refusal through and writes nothing", async () => {
    const { store, appends } = memoryStore();
    await expect(decideOnStream(store, 's', counter, decode, { add: 11 })).rejects.toThrow('too much');
    expect(appends).toEqual([]);
  });

  it('fails with WrongExpectedRevisionError when another writer appended after the read', async () => {
    const { store, events } = memoryStore();
    await decideOnStream(store, 's', counter, decode, { add: 1 });
    const read = store.readStream.bind(store);
    // The other writer's event lands between this command's read and its append.
    (store as { readStream: unknown }).readStream = async () => {
      const seen = await read('s');
      events.push({ ...seen[0], revision: 1 });
      return seen;
    };
    await expect(decideOnStream(store, 's', counter, decode, { add: 1 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });
});

describe(`${decideOnStream.name} with redecideOnConflict`, () => {
  /** A store whose next `losses` appends lose a race: another writer's event lands just before each. */
  function losingStore(losses: number, interloperAdds = 1) {
    const memory = memoryStore();
    const append = memory.store.append.bind(memory.store);
    let lost = 0;
    (memory.store as { append: unknown }).append = async (stream: string, added: NewEvent[], expected: ExpectedRevision) => {
      if (lost++ < losses) await append(stream, [{ id: `other-${lost}`, type: 'Added.v1', data: { amount: interloperAdds } }], expected);
      return append(stream, added, expected);
    };
    return memory;
  }

  it('decides again on the stream as it now is, and appends once', async () => {
    const { store, events } = losingStore(2);
    const result = await decideOnStream(store, 's', counter, decode, { add: 5 }, {}, { redecideOnConflict: 2 });
    expect(result).toMatchObject({ before: 2, after: 7 });
    expect(events.map((e) => e.data.amount)).toEqual([1, 1, 5]);
  });

  it('gives up with WrongExpectedRevisionError after the allowed number of new decisions', async () => {
    const { store, events } = losingStore(3);
    await expect(decideOnStream(store, 's', counter, decode, { add: 5 }, {}, { redecideOnConflict: 2 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(events.map((e) => e.data.amount)).toEqual([1, 1, 1]);
  });

  it('lets the new decision refuse: the state it sees may no longer allow the command', async () => {
    const { store, events } = losingStore(1, 2);
    await expect(decideOnStream(store, 's', counter, decode, { add: 9 }, {}, { redecideOnConflict: 1 })).rejects.toThrow('too much');
    expect(events.map((e) => e.data.amount)).toEqual([2]);
  });
});

describe(stateOfStream.name, () => {
  it('folds the whole stream', async () => {
    const { store } = memoryStore();
    await decideOnStream(store, 's', counter, decode, { add: 2 });
    await decideOnStream(store, 's', counter, decode, { add: 5 });
    expect(await stateOfStream(store, 's', counter, decode)).toBe(7);
  });
});

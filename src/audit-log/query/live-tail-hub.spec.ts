import { AppConfig } from '../../config/app-config';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { matchesFilter } from '../../read-store/filter-matcher';
import { Filter } from '../../read-store/read-store.port';
import { AuditEventDocument } from '../audit-log.read-model';
import { AuditLogReader } from './audit-log-reader';
import { LiveTailHub, TailSubscriber } from './live-tail-hub';

const TENANT = 'tenant-a';

/** The tenant's projected log in memory; `commit` adds events and wakes the hub like a projection commit. */
class FakeLog {
  readonly docs: AuditEventDocument[] = [];
  private wake: Array<() => void> = [];

  commit(count: number, resourceType = 'invoice', metadataBytes = 0): void {
    for (let i = 0; i < count; i++) {
      const sequence = this.docs.length;
      this.docs.push({
        id: `${TENANT}:e${sequence}`,
        eventId: `e${sequence}`,
        sortKey: `${sequence}`,
        tenantId: TENANT,
        sequence,
        action: `${resourceType}.read`,
        resource: { type: resourceType, id: `r${sequence}` },
        metadata: { padding: 'x'.repeat(metadataBytes) },
      } as unknown as AuditEventDocument);
    }
    this.wake.splice(0).forEach((wake) => wake());
  }

  readonly reader = {
    head: async () => (this.docs.length === 0 ? null : { id: TENANT, headSequence: this.docs.length - 1, headHash: 'h' }),
    assertComplete: async () => undefined,
    between: async (filter: Filter, after: number, upTo: number) =>
      this.docs.filter((d) => d.sequence > after && d.sequence <= upTo && matchesFilter(d, filter)).map((entry) => ({ entry, json: JSON.stringify({ ...entry, id: entry.eventId }) })),
    nextCommit: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  } as unknown as AuditLogReader;
}

/** A client that takes what it is sent only when told to (`drain`), like a socket with a full buffer. */
class FakeSubscriber implements TailSubscriber {
  readonly writes: Array<string | Buffer> = [];
  cursor: number;
  ended?: string;
  private unread = 0;
  private drainListeners: Array<() => void> = [];

  constructor(
    readonly filter: Filter,
    cursor = -1,
  ) {
    this.cursor = cursor;
  }

  write(frames: string | Buffer): boolean {
    this.writes.push(frames);
    this.unread += frames.length;
    return true;
  }
  buffered(): number {
    return this.unread;
  }
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }
  end(lastFrame?: string): void {
    this.ended = lastFrame ?? '';
  }
  /** The client reads everything buffered. */
  drain(): void {
    this.unread = 0;
    this.drainListeners.splice(0).forEach((listener) => listener());
  }
  sequences(): number[] {
    return [...this.writes.join('').matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

/** The client keeps reading (as a socket drains) until it has `count` events. */
const readUntil = async (subscriber: FakeSubscriber, count: number) => {
  for (let i = 0; i < 500 && subscriber.sequences().length < count; i++) {
    subscriber.drain();
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(subscriber.sequences().length).toBe(count);
};

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 500 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(until()).toBe(true);
};

describe('LiveTailHub', () => {
  let log: FakeLog;
  let hub: LiveTailHub;
  let disconnect: Array<() => void>;
  const maxBufferedBytes = 64 * 1024;

  const follow = (subscriber: FakeSubscriber) => {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    disconnect.push(close);
    void hub.follow(TENANT, subscriber, closed);
  };

  beforeEach(() => {
    log = new FakeLog();
    disconnect = [];
    const config = { streams: { heartbeatMs: 60_000, idleTimeoutMs: 600_000, maxBufferedBytes } } as AppConfig;
    hub = new LiveTailHub(log.reader, new CooperativeScheduler(0), config);
  });
  afterEach(() => {
    disconnect.forEach((close) => close());
    hub.onApplicationShutdown();
  });

  it('serialises a window once per distinct filter: tails with equal filters are handed the same buffer', async () => {
    const a = new FakeSubscriber({ tenantId: TENANT });
    const b = new FakeSubscriber({ tenantId: TENANT });
    const invoices = new FakeSubscriber({ tenantId: TENANT, 'resource.type': 'invoice' });
    [a, b, invoices].forEach(follow);
    await settle(() => hub.size === 3);
    log.commit(3, 'invoice');
    log.commit(2, 'ledger');
    await settle(() => a.sequences().length === 5 && b.sequences().length === 5 && invoices.sequences().length === 3);
    expect(a.sequences()).toEqual([0, 1, 2, 3, 4]);
    expect(invoices.sequences()).toEqual([0, 1, 2]);
    expect(a.writes.length).toBeGreaterThan(0);
    a.writes.forEach((write, i) => expect(write).toBe(b.writes[i]));
    expect(invoices.writes[0]).not.toBe(a.writes[0]);
  });

  it('a tail whose client stops reading gets nothing more until it drains, then the rest in order from memory, without being ended', async () => {
    const slow = new FakeSubscriber({ tenantId: TENANT });
    const fast = new FakeSubscriber({ tenantId: TENANT });
    [slow, fast].forEach(follow);
    await settle(() => hub.size === 2);
    for (let i = 0; i < 10; i++) {
      log.commit(20, 'invoice', 1024);
      await settle(() => fast.sequences().length === (i + 1) * 20);
      fast.drain();
    }
    const heldBack = slow.sequences().length;
    expect(heldBack).toBeLessThan(200);
    expect(slow.buffered()).toBeGreaterThan(maxBufferedBytes);
    await readUntil(slow, 200);
    expect(slow.sequences()).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(slow.ended).toBeUndefined();
    expect(hub.size).toBe(2);
  });

  it('a tail that fell further behind than the recent windows held in memory is ended with the Last-Event-ID to resume from', async () => {
    const stuck = new FakeSubscriber({ tenantId: TENANT });
    const reader = new FakeSubscriber({ tenantId: TENANT });
    [stuck, reader].forEach(follow);
    await settle(() => hub.size === 2);
    log.commit(100, 'invoice', 1024); // fills the stuck client's socket buffer
    await settle(() => stuck.sequences().length === 100);
    expect(stuck.buffered()).toBeGreaterThan(maxBufferedBytes);
    for (let i = 0; i < 12; i++) log.commit(500); // 6,000 more events: past the 5,000 held in memory
    await readUntil(reader, 6100);
    stuck.drain();
    await settle(() => stuck.ended !== undefined);
    expect(stuck.ended).toBe(': too far behind; reconnect with Last-Event-ID 99\n\n');
    expect(stuck.sequences()).toHaveLength(100);
    expect(hub.size).toBe(1);
  });

  it('a tail resuming from a Last-Event-ID inside a recent window gets only what follows it', async () => {
    const first = new FakeSubscriber({ tenantId: TENANT });
    follow(first);
    await settle(() => hub.size === 1);
    log.commit(10);
    await settle(() => first.sequences().length === 10);
    const resumed = new FakeSubscriber({ tenantId: TENANT }, 6);
    follow(resumed);
    await settle(() => hub.size === 2);
    log.commit(2);
    await settle(() => resumed.sequences().length === 5);
    expect(resumed.sequences()).toEqual([7, 8, 9, 10, 11]);
  });

  it('hands a large window out over several turns of the event loop, so that other requests are served between them', async () => {
    const tails = Array.from({ length: 40 }, () => new FakeSubscriber({ tenantId: TENANT }));
    tails.forEach(follow);
    await settle(() => hub.size === 40);
    let turn = 0;
    let counting = true;
    const countTurns = () => {
      turn++;
      if (counting) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    const writtenInTurn = new Map<FakeSubscriber, number>();
    for (const tail of tails) {
      const write = tail.write.bind(tail);
      tail.write = (frames) => (writtenInTurn.set(tail, turn), write(frames));
    }
    log.commit(100, 'invoice', 1024); // ~110 KiB per tail, ~4.4 MiB in all
    await settle(() => tails.every((t) => t.sequences().length === 100));
    counting = false;
    expect(new Set(writtenInTurn.values()).size).toBeGreaterThanOrEqual(2);
  });
});

import { AppConfig } from '../config/app-config';
import { ProjectionRegistry } from '../projections/projection-registry.service';
import { readerAddresses } from './notification';
import { InboxEntry, NotificationInbox, Reader } from './notification-inbox';
import { NotificationSubscriber, NotificationTailHub } from './notification-tail-hub';
import { InboxDocument } from './notifications.read-model';

const TENANT = 't1';
const key = (n: number) => `pos-${String(n).padStart(6, '0')}`;

/** The tenant's inbox in memory, with call counts; `publish` commits like the notification projection. */
class FakeInbox {
  readonly docs: InboxDocument[] = [];
  calls = { tenantPublishedAfter: 0, viewsFor: 0, publishedBetween: 0 };
  /** When set, viewsFor waits for it (a slow read-state query). */
  viewsGate: Promise<void> | null = null;
  private wake: Array<() => void> = [];
  private published = 0;

  publish(addresses: string[]): string {
    const n = ++this.published;
    const id = `n${n}`;
    for (const address of addresses) {
      this.docs.push({ id: `${id}|${address}`, tenantId: TENANT, address, notificationId: id, sortKey: key(n), notification: { id, title: id } } as unknown as InboxDocument);
    }
    this.wake.splice(0).forEach((wake) => wake());
    return id;
  }

  private entry(doc: InboxDocument): InboxEntry {
    return { view: { ...doc.notification, readAt: null } as InboxEntry['view'], sortKey: doc.sortKey };
  }

  readonly inbox = {
    tenantNewestSortKey: async () => this.docs.at(-1)?.sortKey ?? null,
    tenantPublishedAfter: async (_tenant: string, after: string | null, limit: number) => {
      this.calls.tenantPublishedAfter++;
      return this.docs.filter((d) => after === null || d.sortKey > after).slice(0, limit);
    },
    publishedBetween: async (reader: Reader, after: string | null, upTo: string, limit: number) => {
      this.calls.publishedBetween++;
      const addresses = readerAddresses(reader.subject, reader.roles);
      const batch = this.docs.filter((d) => (after === null || d.sortKey > after) && d.sortKey <= upTo && addresses.includes(d.address)).slice(0, limit);
      const seen = new Set<string>();
      const items = batch.filter((d) => !seen.has(d.notificationId) && seen.add(d.notificationId)).map((d) => this.entry(d));
      return { items, lastSortKey: batch.length < limit ? upTo : batch[batch.length - 1].sortKey };
    },
    viewsFor: async (_tenant: string, readers: Array<{ docs: InboxDocument[] }>) => {
      this.calls.viewsFor++;
      if (this.viewsGate) await this.viewsGate;
      return readers.map((r) => r.docs.map((d) => this.entry(d)));
    },
  } as unknown as NotificationInbox;

  readonly projections = {
    runner: () => ({
      status: () => ({ checkpoint: this.published }),
      nextCommit: (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          this.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
    }),
  } as unknown as ProjectionRegistry;
}

class FakeSubscriber implements NotificationSubscriber {
  written = '';
  ended?: string;
  constructor(
    readonly reader: Reader,
    public cursor: string | null = null,
  ) {}
  readonly writes: Array<string | Buffer> = [];
  write(frames: string | Buffer): void {
    this.writes.push(frames);
    this.written += frames.toString();
  }
  buffered(): number {
    return 0;
  }
  end(lastFrame?: string): void {
    this.ended = lastFrame ?? '';
  }
  ids(): string[] {
    return [...this.written.matchAll(/"id":"(n\d+)"/g)].map((m) => m[1]);
  }
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 500 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(until()).toBe(true);
};

describe('NotificationTailHub', () => {
  let fake: FakeInbox;
  let hub: NotificationTailHub;
  let disconnect: Array<() => void>;
  const follow = (subscriber: FakeSubscriber) => {
    let close!: () => void;
    disconnect.push(() => close());
    void hub.follow(subscriber, new Promise<void>((resolve) => (close = resolve)));
  };
  const officer = (sub: string): Reader => ({ tenantId: TENANT, subject: sub, roles: ['compliance_officer'] });

  beforeEach(() => {
    fake = new FakeInbox();
    disconnect = [];
    hub = new NotificationTailHub(fake.inbox, fake.projections, { streams: { maxBufferedBytes: 1 << 20 } } as AppConfig);
  });
  afterEach(() => {
    disconnect.forEach((close) => close());
    hub.onApplicationShutdown();
  });

  it('reads each round once for all streams of the tenant and gives each reader what is addressed to them, each notification once', async () => {
    const officers = Array.from({ length: 50 }, (_, i) => new FakeSubscriber(officer(`o${i}`)));
    const alice = new FakeSubscriber({ tenantId: TENANT, subject: 'alice', roles: ['auditor'] });
    [...officers, alice].forEach(follow);
    await settle(() => hub.size === 51);
    const before = { ...fake.calls };
    const toOfficers = fake.publish(['r:compliance_officer', 'u:o1']); // o1 twice over: once
    const toAlice = fake.publish(['u:alice']);
    await settle(() => officers.every((o) => o.ids().length === 1) && alice.ids().length === 1);
    expect(officers.map((o) => o.ids())).toEqual(officers.map(() => [toOfficers]));
    expect(alice.ids()).toEqual([toAlice]);
    expect(fake.calls.tenantPublishedAfter - before.tenantPublishedAfter).toBeLessThanOrEqual(4);
    expect(fake.calls.viewsFor - before.viewsFor).toBeLessThanOrEqual(2);
    expect(fake.calls.publishedBetween).toBe(0);
    // Streams of one reader share a buffer; another reader's is its own.
    const twice = new FakeSubscriber(officer('o2'), key(2)); // opened after the first two notifications
    follow(twice);
    await settle(() => hub.size === 52);
    fake.publish(['r:compliance_officer']);
    await settle(() => twice.ids().length === 1 && officers[2].ids().length === 2);
    expect(twice.writes.at(-1)).toBe(officers[2].writes.at(-1));
    expect(twice.writes.at(-1)).not.toBe(officers[3].writes.at(-1));
  });

  it('a stream that resumes from Last-Event-ID catches up on its own, then joins without a gap or a repeat, even while a round is being handed out', async () => {
    const first = new FakeSubscriber(officer('a'));
    follow(first);
    await settle(() => hub.size === 1);
    const early = [fake.publish(['r:compliance_officer']), fake.publish(['r:compliance_officer'])];
    await settle(() => first.ids().length === 2);
    // A round whose read states are slow: the resuming stream opens in the middle of it.
    let release!: () => void;
    fake.viewsGate = new Promise<void>((resolve) => (release = resolve));
    const during = fake.publish(['r:compliance_officer']);
    await settle(() => fake.calls.viewsFor === 2);
    const resumed = new FakeSubscriber(officer('b'), 'pos-000001');
    follow(resumed);
    await settle(() => hub.size === 2);
    release();
    fake.viewsGate = null;
    const after = fake.publish(['r:compliance_officer']);
    await settle(() => resumed.ids().length === 3 && first.ids().length === 4);
    expect(resumed.ids()).toEqual([early[1], during, after]);
    expect(first.ids()).toEqual([...early, during, after]);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import { AUDIT_EVENT_RECORDED } from '../../audit-log/audit-event';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../../event-store/stream-names';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { SqliteReadStore } from '../../read-store/sqlite/sqlite-read-store';
import { chainHash, GENESIS_HASH } from '../hash-chain';
import { ChainHashWorker } from './chain-hash-worker';
import { ChainVerifier } from './chain-verifier';

const EVENTS = 400;

async function seedChain(store: SqliteEventStore, tenantId: string, count: number): Promise<void> {
  let prevHash = GENESIS_HASH;
  const events = [];
  for (let sequence = 0; sequence < count; sequence++) {
    const withoutHash = { id: `e-${sequence}`, tenantId, sequence, action: 'invoice.update', metadata: { n: sequence }, prevHash };
    const hash = chainHash(prevHash, withoutHash);
    events.push({ id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`, type: AUDIT_EVENT_RECORDED, data: { ...withoutHash, hash } });
    prevHash = hash;
  }
  await store.append(auditStreamOf(tenantId), events, 'no_stream');
}

describe(`${ChainVerifier.name} (event-loop friendliness)`, () => {
  let store: SqliteEventStore;
  /** No audit_log projection here: the verifier's second witness of the head is simply absent. */
  let readStore: SqliteReadStore;

  beforeEach(async () => {
    store = new SqliteEventStore({ file: ':memory:' });
    readStore = new SqliteReadStore({ file: ':memory:' });
    await seedChain(store, 'acme', EVENTS);
  });
  afterEach(async () => {
    await store.close();
    await readStore.close();
  });

  it('gives the event loop back while verifying: immediates queued during the verify run before it finishes', async () => {
    // A zero-length slice yields at every opportunity, so the test does not depend on machine speed.
    const verifier = new ChainVerifier(store, readStore, new CooperativeScheduler(0));
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const verification = verifier.verify('acme');
    let ticksWhenDone = -1;
    void verification.then(() => {
      ticksWhenDone = ticks;
      running = false;
    });
    const result = await verification;
    expect(result).toMatchObject({ valid: true, checked: EVENTS, headSequence: EVENTS - 1 });
    // One turn of the loop per event at least: the verify never held the loop for the whole chain.
    expect(ticksWhenDone).toBeGreaterThanOrEqual(EVENTS);
  });

  it('verifies a sub-range and an absent stream with the same results while yielding', async () => {
    const verifier = new ChainVerifier(store, readStore, new CooperativeScheduler(0));
    expect(await verifier.verify('acme', 10, 300)).toMatchObject({ valid: true, checked: 291, fromSequence: 10, toSequence: 300 });
    expect(await verifier.verify('other')).toMatchObject({ valid: true, checked: 0, headSequence: -1 });
  });
});

describe(`${ChainVerifier.name} with hashing on the worker thread`, () => {
  let store: SqliteEventStore;
  let readStore: SqliteReadStore;
  let hashWorker: ChainHashWorker;

  beforeEach(async () => {
    store = new SqliteEventStore({ file: ':memory:' });
    readStore = new SqliteReadStore({ file: ':memory:' });
    hashWorker = new ChainHashWorker();
    await seedChain(store, 'acme', EVENTS);
  });
  afterEach(async () => {
    await hashWorker.onModuleDestroy();
    await store.close();
    await readStore.close();
  });

  function verifierOnWorker(): ChainVerifier {
    const verifier = new ChainVerifier(store, readStore, new CooperativeScheduler(0), hashWorker);
    verifier.hashWorkerMinEvents = 1;
    return verifier;
  }

  it('gives the same verdict as hashing inline on an intact chain, and hashes on the worker', async () => {
    const spy = jest.spyOn(hashWorker, 'problemsOf');
    expect(await verifierOnWorker().verify('acme')).toEqual(await new ChainVerifier(store, readStore, new CooperativeScheduler(0)).verify('acme'));
    expect(await verifierOnWorker().verify('acme')).toMatchObject({ valid: true, checked: EVENTS });
    expect(spy).toHaveBeenCalled();
  });

  it('finds an altered event at the same sequence as inline hashing does', async () => {
    const tampered = new SqliteEventStore({ file: ':memory:' });
    let prevHash = GENESIS_HASH;
    const events = [];
    for (let sequence = 0; sequence < 250; sequence++) {
      const withoutHash = { id: `e-${sequence}`, tenantId: 'acme', sequence, action: 'invoice.update', metadata: { n: sequence }, prevHash };
      const hash = chainHash(prevHash, withoutHash);
      // Sequence 137 is stored with content that does not match its hash.
      const data = sequence === 137 ? { ...withoutHash, metadata: { n: -1 }, hash } : { ...withoutHash, hash };
      events.push({ id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`, type: AUDIT_EVENT_RECORDED, data });
      prevHash = hash;
    }
    await tampered.append(auditStreamOf('acme'), events, 'no_stream');
    const onWorker = new ChainVerifier(tampered, readStore, new CooperativeScheduler(0), hashWorker);
    onWorker.hashWorkerMinEvents = 1;
    const expected = { valid: false, firstInvalidSequence: 137, reason: 'hash does not match the event content' };
    expect(await onWorker.verify('acme')).toMatchObject(expected);
    expect(await new ChainVerifier(tampered, readStore, new CooperativeScheduler(0)).verify('acme')).toMatchObject(expected);
    await tampered.close();
  });

  it('after its worker thread died, the next verification starts a new one', async () => {
    const verifier = verifierOnWorker();
    await hashWorker.problemsOf([]);
    await (hashWorker as unknown as { client: { worker: import('node:worker_threads').Worker } }).client.worker.terminate();
    expect(await verifier.verify('acme')).toMatchObject({ valid: true, checked: EVENTS });
  });

  // Linux keeps a nice value per thread; elsewhere the worker runs at normal priority.
  (process.platform === 'linux' ? it : it.skip)('hashes at a lower CPU priority (nice 10) than the threads that serve requests', async () => {
    const niceOfThreads = () =>
      fs.readdirSync('/proc/self/task').map((tid) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    expect(niceOfThreads()).not.toContain(10);
    await hashWorker.problemsOf([]);
    expect(niceOfThreads()).toContain(10);
    expect(os.getPriority(0)).toBe(0); // the calling thread keeps its own
  });
});

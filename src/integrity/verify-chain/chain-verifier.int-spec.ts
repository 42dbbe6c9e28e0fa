import { AUDIT_EVENT_RECORDED } from '../../audit-log/audit-event';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { auditStreamOf } from '../../event-store/stream-names';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { SqliteReadStore } from '../../read-store/sqlite/sqlite-read-store';
import { chainHash, GENESIS_HASH } from '../hash-chain';
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

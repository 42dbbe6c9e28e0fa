import net from 'node:net';
import { AppendTooLargeError } from '../event-store.errors';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * What can be checked of the EventStoreDB adapter without a server (its contract suite runs where
 * EVENTSTORE_CONNECTION_STRING is set): it refuses appends over the server's limit before sending,
 * and a ping to a server that never answers fails instead of passing.
 */
describe(EventStoreDbEventStore.name, () => {
  let silent: net.Server;
  let sockets: net.Socket[];
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    // Accepts connections and never says a word: an unreachable or hung server, as the client sees it.
    sockets = [];
    silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    store = new EventStoreDbEventStore(`esdb://127.0.0.1:${port}?tls=false`, { maxAppendBytes: 100_000, pingTimeoutMs: 300 });
  });

  afterEach(async () => {
    await store.close().catch(() => undefined);
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });

  it('refuses an append larger than the server accepts with AppendTooLargeError, without sending it', async () => {
    const events = Array.from({ length: 30 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'T.v1', data: { note: 'x'.repeat(4000) } }));

    const refused = await store.append('audit-acme', events, 'any').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(AppendTooLargeError);
    expect(refused).toMatchObject({ stream: 'audit-acme', limit: 100_000, bytes: expect.any(Number) });
    expect((refused as AppendTooLargeError).bytes).toBeGreaterThan(120_000);
    expect(sockets).toHaveLength(0);
  });

  it('fails a ping that gets no answer within its timeout', async () => {
    await expect(store.ping()).rejects.toThrow(/did not answer within 300 ms/);
  });
});

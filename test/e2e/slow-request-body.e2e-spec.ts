import { AddressInfo, connect, Socket } from 'node:net';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

const REQUEST_TIMEOUT_MS = 400;

interface TrickleOutcome {
  /** First line of whatever the server answered ('' if nothing). */
  statusLine: string;
  /** Time from the first byte sent until the server closed the connection. */
  closedAfterMs: number;
}

/**
 * A POST whose body arrives one byte every 50 ms (a slow-body attack): resolves when the server
 * closes the connection, or after `giveUpMs` with the socket destroyed by the test itself.
 */
function trickleBody(port: number, authorization: string, giveUpMs: number): Promise<TrickleOutcome> {
  return new Promise((resolve) => {
    let started = Date.now();
    let answer = '';
    let drip: NodeJS.Timeout | undefined;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      started = Date.now();
      socket.write(
        'POST /v1/audit-events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          `Authorization: ${authorization}\r\nContent-Length: 100000\r\n\r\n{`,
      );
      drip = setInterval(() => socket.writable && socket.write(' '), 50);
    });
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      resolve({ statusLine: answer.split('\r\n')[0] ?? '', closedAfterMs: Date.now() - started });
    });
  });
}

describe('Slow request bodies (HTTP_REQUEST_TIMEOUT_MS)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  it('answers 408 and closes a connection whose body is still arriving after the request timeout, writing nothing', async () => {
    const before = (await t.app.get<EventStore>(EVENT_STORE).readAll()).length;
    const outcome = await trickleBody(port, bearer({ roles: ['audit_writer'] }), 10_000);
    expect(outcome.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    // The timeout plus the server's connection-check interval (a quarter of the timeout), with slack for a busy machine.
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(outcome.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS * 5);
    expect((await t.app.get<EventStore>(EVENT_STORE).readAll()).length).toBe(before);
  });

  it('closes 100 concurrent slow-body connections, each within the deadline plus one check interval', async () => {
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => trickleBody(port, bearer({ roles: ['audit_writer'] }), 10_000)));
    expect(outcomes.map((o) => o.statusLine)).toEqual(Array(100).fill('HTTP/1.1 408 Request Timeout'));
    expect(Math.max(...outcomes.map((o) => o.closedAfterMs))).toBeLessThan(REQUEST_TIMEOUT_MS * 5);
  }, 30_000);

  it('sets the server limits from the configuration (headers no later than the whole request)', () => {
    const server = t.app.getHttpServer();
    expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(server.headersTimeout).toBe(REQUEST_TIMEOUT_MS);
  });

  it('defaults to a 30 s request timeout', async () => {
    const defaults = await createTestApp();
    try {
      expect(defaults.app.getHttpServer().requestTimeout).toBe(30_000);
      expect(defaults.app.getHttpServer().connectionsCheckingInterval).toBeLessThanOrEqual(1000);
    } finally {
      await defaults.close();
    }
  });
});

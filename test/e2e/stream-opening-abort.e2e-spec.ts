import * as http from 'node:http';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { LiveTailHub } from '../../src/audit-log/query/live-tail-hub';
import { StreamOpenings } from '../../src/read-limits/stream-openings';
import { baseUrlOf } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

/** Holds every opening at its turn until released: a client can leave while its opening waits. */
class HeldOpenings {
  waiting = 0;
  private release: (() => void) | null = null;
  private held: Promise<void> | null = null;
  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }
  releaseAll(): void {
    this.release?.();
    this.held = null;
  }
  turn(): Promise<void> {
    if (!this.held) return Promise.resolve();
    this.waiting++;
    return this.held;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('a live tail whose client leaves while its opening waits for its turn', () => {
  const openings = new HeldOpenings();
  let t: TestApp;
  const serverSockets: Socket[] = [];

  beforeAll(async () => {
    // Heartbeats far away: only the closed connection itself may end the tail within this test.
    t = await createTestApp({ env: { STREAM_HEARTBEAT_MS: '300000', STREAM_IDLE_TIMEOUT_MS: '300000' }, overrides: [{ provide: StreamOpenings, useValue: openings }] });
    await t.app.listen(0, '127.0.0.1');
    (t.app.getHttpServer() as http.Server).on('connection', (socket: Socket) => serverSockets.push(socket));
  });
  afterAll(() => t.close());

  it('ends at once instead of joining the fan-out as a tail nobody reads', async () => {
    const hub = t.app.get(LiveTailHub);
    const follow = hub.follow.bind(hub);
    let followed: Promise<void> | null = null;
    hub.follow = (...args: Parameters<LiveTailHub['follow']>) => (followed = follow(...args));

    openings.hold();
    const request = http.get(`${baseUrlOf(t.app.getHttpServer())}/v1/audit-events/stream`, {
      headers: { Accept: 'text/event-stream', Authorization: bearer({ roles: ['compliance_officer'], sub: 'leaver' }) },
    });
    request.on('error', () => undefined);
    await until(() => openings.waiting > 0, 'the opening to wait for its turn');
    request.destroy();
    await Promise.all(serverSockets.filter((s) => !s.destroyed).map((s) => once(s, 'close')));
    openings.releaseAll();

    await until(() => followed !== null, 'the handler to reach the fan-out');
    // Before the fix the tail stayed in the fan-out until its next heartbeat found the socket gone.
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([followed!.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)))]);
    clearTimeout(timer);
    expect({ endedWithin5s: ended, tailsInTheFanOut: hub.size }).toEqual({ endedWithin5s: true, tailsInTheFanOut: 0 });
  });
});

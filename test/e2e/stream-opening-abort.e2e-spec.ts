import * as http from 'node:http';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { LiveTailHub } from '../../src/audit-log/query/live-tail-hub';
import { ReadLimitGuard } from '../../src/read-limits/read-limited';
import { StreamOpenings } from '../../src/read-limits/stream-openings';
import { auditApi } from '../support/audit-api';
import { baseUrlOf } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';

/** Holds the openings' turns (from the `from`-th turn on, counting from 1) until released. */
class HeldOpenings {
  waiting = 0;
  private turns = 0;
  private from = Infinity;
  private release: (() => void) | null = null;
  private held: Promise<void> | null = null;
  hold(from = 1): void {
    this.turns = 0;
    this.waiting = 0;
    this.from = from;
    this.held = new Promise((resolve) => (this.release = resolve));
  }
  releaseAll(): void {
    this.release?.();
    this.held = null;
  }
  turn(): Promise<void> {
    this.turns++;
    if (!this.held || this.turns < this.from) return Promise.resolve();
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

  /** Opens a tail of `sub`, waits until its opening is held at a turn, then closes it from the client side. */
  async function openAndLeave(sub: string): Promise<void> {
    const request = http.get(`${baseUrlOf(t.app.getHttpServer())}/v1/audit-events/stream`, {
      headers: { Accept: 'text/event-stream', Authorization: bearer({ roles: ['compliance_officer'], sub }) },
    });
    request.on('error', () => undefined);
    await until(() => openings.waiting > 0, 'the opening to wait for its turn');
    request.destroy();
    await Promise.all(serverSockets.filter((s) => !s.destroyed).map((s) => once(s, 'close')));
  }

  it('left during its first turn (before the read-limit slot): refused with 499, no slot taken, no handler run, nothing recorded', async () => {
    const guard = jest.spyOn(ReadLimitGuard.prototype, 'canActivate');
    try {
      openings.hold(1);
      await openAndLeave('leaver-early');
      openings.releaseAll();
      const admitted = guard.mock.results[guard.mock.results.length - 1].value as Promise<boolean>;
      await expect(admitted).rejects.toMatchObject({ status: 499 });
    } finally {
      guard.mockRestore();
    }
    const officer = bearer({ roles: ['compliance_officer'], sub: 'reader' });
    const api = auditApi(t.app);
    const head = await api.head(officer);
    expect(await api.list(officer, 'action=audit_log.stream&actorId=leaver-early', head >= 0 ? head : undefined)).toEqual([]);
  });

  it('left during its turn after the self-audit commit: ends at once instead of joining the fan-out as a tail nobody reads', async () => {
    const hub = t.app.get(LiveTailHub);
    const follow = hub.follow.bind(hub);
    let followed: Promise<void> | null = null;
    hub.follow = (...args: Parameters<LiveTailHub['follow']>) => (followed = follow(...args));

    openings.hold(2);
    await openAndLeave('leaver-late');
    openings.releaseAll();

    await until(() => followed !== null, 'the handler to reach the fan-out');
    // Before the fix the tail stayed in the fan-out until its next heartbeat found the socket gone.
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([followed!.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)))]);
    clearTimeout(timer);
    expect({ endedWithin5s: ended, tailsInTheFanOut: hub.size }).toEqual({ endedWithin5s: true, tailsInTheFanOut: 0 });
  });
});

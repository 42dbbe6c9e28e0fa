import { BUSY_WINDOW_MS, CooperativeScheduler } from './cooperative-scheduler';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(CooperativeScheduler.name, () => {
  it('does not give the loop back while the slice budget lasts', async () => {
    let now = 0;
    const scheduler = new CooperativeScheduler(10, () => now);
    const slice = scheduler.slice();
    now = 9;
    let ticks = 0;
    setImmediate(() => ticks++);
    await slice.pause();
    expect(ticks).toBe(0);
    expect(slice.due).toBe(false);
  });

  it('once the budget is spent, pause() resumes only after pending immediates (I/O turns) have run', async () => {
    let now = 0;
    const scheduler = new CooperativeScheduler(10, () => now);
    const slice = scheduler.slice();
    now = 10;
    let ticks = 0;
    setImmediate(() => ticks++);
    await slice.pause();
    expect(ticks).toBe(1);
    expect(slice.due).toBe(false); // a new slice started at the turn
  });

  it('a read that starts while others wait for a turn queues behind them at its first pause', async () => {
    let now = 0;
    const scheduler = new CooperativeScheduler(10, () => now);
    const order: string[] = [];
    const waiting = scheduler.slice();
    now = 10;
    const first = waiting.pause().then(() => order.push('waiting'));
    const newcomer = scheduler.slice().pause().then(() => order.push('newcomer'));
    await Promise.all([first, newcomer]);
    expect(order).toEqual(['waiting', 'newcomer']);
  });

  it('grants one waiting read per event-loop iteration, round-robin', async () => {
    const scheduler = new CooperativeScheduler(0);
    const order: string[] = [];
    const read = async (name: string) => {
      const slice = scheduler.slice();
      for (let i = 0; i < 3; i++) {
        await slice.pause();
        order.push(`${name}${i}`);
      }
    };
    let iterations = 0;
    let counting = true;
    const count = () => {
      iterations++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    await Promise.all([read('a'), read('b')]);
    counting = false;
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    // Six turns need six iterations of the loop: never two grants in one check phase.
    expect(iterations).toBeGreaterThanOrEqual(6);
    await turn();
  });

  it('while requests arrive, rests between turns, each rest starting once the granted slice has run', async () => {
    const scheduler = new CooperativeScheduler(1, () => 0);
    scheduler.noteRequest();
    const log: string[] = [];
    const realSetTimeout = global.setTimeout;
    const timers = jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      log.push('rest');
      return realSetTimeout(callback, ms);
    }) as typeof setTimeout);
    try {
      const read = async (name: string) => {
        for (let i = 0; i < 2; i++) {
          await scheduler.nextTurn();
          log.push(`${name}${i}`);
          await Promise.resolve(); // a slice's work spans several microtasks
          log.push(`${name}${i} done`);
        }
      };
      await Promise.all([read('a'), read('b')]);
    } finally {
      timers.mockRestore();
    }
    // Each rest after the first comes after the previous slice finished: work, rest, work, rest …
    expect(log).toEqual(['rest', 'a0', 'a0 done', 'rest', 'b0', 'b0 done', 'rest', 'a1', 'a1 done', 'rest', 'b1', 'b1 done']);
  });

  it('without a request in the last BUSY_WINDOW_MS, turns come without a rest', async () => {
    let now = 0;
    const scheduler = new CooperativeScheduler(1, () => now);
    scheduler.noteRequest();
    now = BUSY_WINDOW_MS;
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      const read = async () => {
        for (let i = 0; i < 3; i++) await scheduler.nextTurn();
      };
      await Promise.all([read(), read()]);
      expect(timers).not.toHaveBeenCalled();
      scheduler.noteRequest();
      await scheduler.nextTurn();
      expect(timers).toHaveBeenCalledTimes(1);
    } finally {
      timers.mockRestore();
    }
  });
});

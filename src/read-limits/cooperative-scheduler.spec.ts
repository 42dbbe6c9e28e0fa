import { CooperativeScheduler } from './cooperative-scheduler';

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
});

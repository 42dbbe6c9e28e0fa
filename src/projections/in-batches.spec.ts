import { inBatches } from './in-batches';

async function* burstThenTrickle(): AsyncGenerator<number> {
  for (let i = 0; i < 5; i++) yield i;
  await new Promise((r) => setTimeout(r, 20));
  yield 5;
  await new Promise((r) => setTimeout(r, 20));
  yield 6;
}

describe(inBatches.name, () => {
  it('groups what is already available, up to max, and does not wait for more', async () => {
    const batches: number[][] = [];
    for await (const batch of inBatches(burstThenTrickle(), 3)) batches.push(batch);
    expect(batches).toEqual([[0, 1, 2], [3, 4], [5], [6]]);
  });

  it('ends when the source ends, and tells the source when the consumer stops early', async () => {
    let finished = false;
    async function* source() {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        finished = true;
      }
    }
    for await (const batch of inBatches(source(), 10)) {
      expect(batch).toHaveLength(10);
      break;
    }
    await new Promise((r) => setImmediate(r));
    expect(finished).toBe(true);
  });
});

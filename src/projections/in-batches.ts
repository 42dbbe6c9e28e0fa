const NOT_READY = Symbol('not-ready');

/**
 * Groups an async iterable into arrays of what is already available, up to `max` items, without
 * waiting for more: a burst becomes one batch (one commit), a trickle still flows one by one.
 */
export async function* inBatches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      const tick = new Promise<typeof NOT_READY>((resolve) => setImmediate(() => resolve(NOT_READY)));
      let done = false;
      while (batch.length < max) {
        const next = await Promise.race([pending, tick]);
        if (next === NOT_READY) break;
        if (next.done) {
          done = true;
          break;
        }
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
      if (done) return;
    }
  } finally {
    // Not awaited: a source blocked on a live wait ends when its owner closes it.
    iterator.return?.().catch(() => undefined);
  }
}

import { EventStore } from '../../src/event-store/event-store.port';

/**
 * Makes the next `racers` reads of `stream` wait for one another, so that the commands behind them
 * all decide on the same revision and race to append (two instances acting at the same moment, made
 * deterministic). Later reads pass straight through. Returns a function that restores the store.
 */
export function raceReadsOf(store: EventStore, stream: string, racers = 2): () => void {
  const original = store.readStream;
  const waiting: Array<{ release: () => void; fail: (error: Error) => void }> = [];
  let held = 0;
  let timer: NodeJS.Timeout | undefined;
  store.readStream = async function (this: EventStore, name, options) {
    const events = await original.call(this, name, options);
    if (name !== stream || held >= racers) return events;
    held++;
    await new Promise<void>((release, fail) => {
      waiting.push({ release, fail });
      // Fewer racers than expected must fail the test with a reason, not hang it.
      timer ??= setTimeout(() => waiting.forEach((w) => w.fail(new Error(`raceReadsOf: only ${waiting.length} of ${racers} reads of ${stream} arrived within 5 s`))), 5000);
      if (waiting.length === racers) {
        clearTimeout(timer);
        waiting.forEach((w) => w.release());
      }
    });
    return events;
  };
  return () => {
    clearTimeout(timer);
    store.readStream = original;
  };
}

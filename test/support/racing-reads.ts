import { EventStore } from '../../src/event-store/event-store.port';

/**
 * Makes the next `racers` reads of `stream` wait for one another, so that the commands behind them
 * all decide on the same revision and race to append (two instances acting at the same moment, made
 * deterministic). Later reads pass straight through. Returns a function that restores the store.
 */
export function raceReadsOf(store: EventStore, stream: string, racers = 2): () => void {
  const original = store.readStream;
  const waiting: Array<() => void> = [];
  let held = 0;
  store.readStream = async function (this: EventStore, name, options) {
    const events = await original.call(this, name, options);
    if (name !== stream || held >= racers) return events;
    held++;
    await new Promise<void>((release) => {
      waiting.push(release);
      if (waiting.length === racers) waiting.forEach((r) => r());
    });
    return events;
  };
  return () => {
    store.readStream = original;
  };
}

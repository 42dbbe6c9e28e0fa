/**
 * Bytes a live fan-out hands to sockets before it gives the event loop a turn. Socket writes are
 * flushed (writev) when the turn ends, and over loopback their cost includes the receiver's: a window
 * written to 1,000 tails in one turn held the loop, and `/health`, for 250–530 ms (docs/PERFORMANCE.md).
 * 1 MiB rather than 2: `/health` p99 while 1,000 tails take 1,000 events/s went from 31.6–55.7 ms to
 * 26.8–29.9 ms, delivery time unchanged.
 */
export const FAN_OUT_BYTES_PER_TURN = 1024 * 1024;

/** Counts the bytes a fan-out writes in the current turn of the event loop. */
export class WriteTurns {
  private bytes = 0;

  constructor(private readonly budget = FAN_OUT_BYTES_PER_TURN) {}

  /** Counts `n` bytes written; true once the turn's budget is spent (then await `nextTurn()`). */
  add(n: number): boolean {
    this.bytes += n;
    return this.bytes >= this.budget;
  }

  /** Resolves on a later turn of the event loop, after pending I/O (other requests) had its turn. */
  nextTurn(): Promise<void> {
    this.bytes = 0;
    return new Promise((resolve) => setImmediate(resolve));
  }
}

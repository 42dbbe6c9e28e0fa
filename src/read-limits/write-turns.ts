/**
 * Bytes a live fan-out hands to sockets before it gives the event loop a turn. Socket writes are
 * flushed (writev) when the turn ends, and over loopback their cost includes the receiver's: a window
 * written to 1,000 tails in one turn held the loop, and `/health`, for 250–530 ms (docs/PERFORMANCE.md).
 */
export const FAN_OUT_BYTES_PER_TURN = 2 * 1024 * 1024;

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

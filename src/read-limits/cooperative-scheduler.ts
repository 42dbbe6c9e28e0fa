/** How long after another request arrived turns of long reads keep resting (ms). */
export const BUSY_WINDOW_MS = 100;

/**
 * Time-slicing for long reads on the main thread (ADR 012). better-sqlite3 and hashing are
 * synchronous, so a verify, export or scan that never gives the event loop back holds every other
 * request (even /health) for its whole duration. Long reads work in small units and call
 * `slice.pause()` between them: while the slice's budget lasts that costs nothing; once it is spent
 * the read queues for a turn. Turns are granted round-robin, one at a time, one per event-loop
 * iteration at most, so pending I/O (other requests, ingestion) is served between any two slices of
 * long-read work, however many long reads are waiting. While other requests arrive (one came in the
 * last `BUSY_WINDOW_MS`), each turn is also followed by a rest of `sliceMs` (a timer, so the loop waits
 * for I/O meanwhile): long reads together then take at most about half of the main thread. A long
 * read on an otherwise idle service runs at full speed. With a zero slice, turns never rest.
 */
export class CooperativeScheduler {
  private readonly waiting: Array<() => void> = [];
  private turnScheduled = false;
  private lastRequestAt = Number.NEGATIVE_INFINITY;

  /**
   * @param sliceMs how long a long read may run before it gives the loop back (0: at every pause)
   * @param now monotonic clock in ms (injectable for tests)
   */
  constructor(
    readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * A budget for one long read, starting now. While other long reads wait for a turn, a new one
   * starts with its budget spent: it queues behind them at its first pause instead of running a
   * whole slice from the I/O callback that started it (many requests arriving together would
   * otherwise each run a slice in the same poll phase).
   */
  slice(): ReadSlice {
    return new ReadSlice(this, this.now, this.waiting.length > 0);
  }

  /** A request other than a long read arrived: for the next BUSY_WINDOW_MS, turns of long reads rest between them. */
  noteRequest(): void {
    this.lastRequestAt = this.now();
  }

  /** Long reads waiting for a turn. */
  get waitingReads(): number {
    return this.waiting.length;
  }

  /** Resolves on a later event-loop iteration, after the long reads that queued before. */
  nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.scheduleTurn();
    });
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    // Measured (docs/PERFORMANCE.md): back-to-back turns kept the main thread 95% busy under 44 long
    // reads, and ingestion waited behind them; a rest as long as the slice leaves the other half to
    // requests. Without requests to serve, a rest would only slow the long reads down.
    if (this.sliceMs > 0 && this.now() - this.lastRequestAt < BUSY_WINDOW_MS) setTimeout(this.grantTurn, this.sliceMs);
    else setImmediate(this.grantTurn);
  }

  // One turn at a time: an immediate queued from inside an immediate runs on the next iteration,
  // after the poll phase has served pending I/O; a timer runs after the loop has waited for I/O.
  private readonly grantTurn = (): void => {
    const next = this.waiting.shift();
    next?.();
    // The granted read runs its slice in the microtasks that follow this callback. The rest must start
    // after that slice, not with it: a timer set here would already be due when a 2 ms slice ends, and
    // long reads kept the main thread 95% busy (docs/PERFORMANCE.md, read isolation, 2026-11-30).
    // An immediate runs once the slice has given the loop back, and starts the rest from there.
    if (this.sliceMs > 0) setImmediate(this.afterTurn);
    else this.afterTurn();
  };

  private readonly afterTurn = (): void => {
    this.turnScheduled = false;
    if (this.waiting.length > 0) this.scheduleTurn();
  };
}

export class ReadSlice {
  private startedAt: number;

  constructor(
    private readonly scheduler: CooperativeScheduler,
    private readonly now: () => number,
    spent: boolean,
  ) {
    this.startedAt = spent ? Number.NEGATIVE_INFINITY : now();
  }

  /** True when the budget is spent: the next pause() gives the loop back. */
  get due(): boolean {
    return this.now() - this.startedAt >= this.scheduler.sliceMs;
  }

  /** Call between units of work: waits for a turn if the slice's budget is spent. */
  async pause(): Promise<void> {
    if (!this.due) return;
    await this.scheduler.nextTurn();
    this.startedAt = this.now();
  }
}

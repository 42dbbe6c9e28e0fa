/**
 * Time-slicing for long reads on the main thread (ADR 012). better-sqlite3 and hashing are
 * synchronous, so a verify, export or scan that never gives the event loop back holds every other
 * request (even /health) for its whole duration. Long reads work in small units and call
 * `slice.pause()` between them: while the slice's budget lasts that costs nothing; once it is spent
 * the read queues for a turn. Turns are granted round-robin, one at a time, and each turn comes a
 * rest of `sliceMs` after the previous one (a timer, so the loop waits for I/O meanwhile): long reads
 * together take at most about half of the main thread, and pending I/O (other requests, ingestion)
 * is served between any two slices of long-read work, however many long reads are waiting. With a
 * zero slice, turns come one per event-loop iteration (check phase) without a rest.
 */
export class CooperativeScheduler {
  private readonly waiting: Array<() => void> = [];
  private turnScheduled = false;

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
    // Measured (docs/PERFORMANCE.md): back-to-back turns kept the loop saturated under 44 long reads,
    // and ingestion waited behind them; a rest as long as the slice leaves the other half to requests.
    if (this.sliceMs > 0) setTimeout(this.grantTurn, this.sliceMs);
    else setImmediate(this.grantTurn);
  }

  // One turn at a time: an immediate queued from inside an immediate runs on the next iteration,
  // after the poll phase has served pending I/O; a timer runs after the loop has waited for I/O.
  private readonly grantTurn = (): void => {
    this.turnScheduled = false;
    const next = this.waiting.shift();
    if (this.waiting.length > 0) this.scheduleTurn();
    next?.();
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

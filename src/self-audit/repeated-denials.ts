/** Denials of one key counted after the first one of a window, summarised once the window ends. */
export interface RepeatedDenialSummary<S> {
  key: string;
  /** What the first denial of the window looked like (who, where, why): the summary repeats it. */
  sample: S;
  /** Denials after the first one, within the window (the first was recorded on its own). */
  count: number;
  /** Distinct extra values noted with the repeats (e.g. tenant ids asked for), at most `maxNotes`. */
  notes: string[];
  windowStart: Date;
  /** When the window ended, or when it was cut short (shutdown, memory bound). */
  windowEnd: Date;
  firstRepeatAt: Date;
  lastRepeatAt: Date;
}

interface Window<S> {
  sample: S;
  start: number;
  count: number;
  notes: Set<string>;
  firstRepeatAt: number;
  lastRepeatAt: number;
}

export interface RepeatedDenialsOptions {
  windowMs: number;
  now?: () => number;
  /** Open windows kept; beyond it the oldest is summarised early. */
  maxWindows?: number;
  maxNotes?: number;
}

/**
 * Keeps a log from being flooded by one caller repeating a refused request: per key (caller,
 * tenant, route, reason) the first denial of a window is to be recorded at once; the following ones
 * in the window are only counted, and become one summary when the window ends. So a key costs at
 * most two records per window, however fast it is repeated. Time comes from `now` (tests inject it).
 */
export class RepeatedDenials<S> {
  private readonly windows = new Map<string, Window<S>>();
  private readonly now: () => number;
  private readonly maxWindows: number;
  private readonly maxNotes: number;

  constructor(private readonly options: RepeatedDenialsOptions) {
    this.now = options.now ?? Date.now;
    this.maxWindows = options.maxWindows ?? 10_000;
    this.maxNotes = options.maxNotes ?? 10;
  }

  /**
   * Notes a denial. True: it opens a window and must be recorded now. False: it was counted into the
   * open window. Windows that ended are not reopened here: take them with {@link takeEnded} first.
   * A window evicted to respect `maxWindows` is returned in `evicted` for its summary to be written.
   */
  admit(key: string, sample: S, note?: string): { record: boolean; evicted?: RepeatedDenialSummary<S> } {
    const now = this.now();
    const open = this.windows.get(key);
    if (open && now < open.start + this.options.windowMs) {
      if (open.count === 0) open.firstRepeatAt = now;
      open.count += 1;
      open.lastRepeatAt = now;
      if (note !== undefined && open.notes.size < this.maxNotes) open.notes.add(note);
      return { record: false };
    }
    let evicted: RepeatedDenialSummary<S> | undefined;
    if (open) {
      this.windows.delete(key);
      if (open.count > 0) evicted = this.summaryOf(key, open, open.start + this.options.windowMs);
    } else if (this.windows.size >= this.maxWindows) {
      const [oldestKey, oldest] = this.windows.entries().next().value as [string, Window<S>];
      this.windows.delete(oldestKey);
      if (oldest.count > 0) evicted = this.summaryOf(oldestKey, oldest, now);
    }
    this.windows.set(key, { sample, start: now, count: 0, notes: new Set(), firstRepeatAt: now, lastRepeatAt: now });
    return { record: true, ...(evicted ? { evicted } : {}) };
  }

  /** Removes the windows that have ended; returns the summaries of those that counted repeats. */
  takeEnded(): RepeatedDenialSummary<S>[] {
    const now = this.now();
    const summaries: RepeatedDenialSummary<S>[] = [];
    for (const [key, window] of this.windows) {
      const end = window.start + this.options.windowMs;
      if (now < end) continue;
      this.windows.delete(key);
      if (window.count > 0) summaries.push(this.summaryOf(key, window, end));
    }
    return summaries;
  }

  /** Ends every window now (shutdown): the summaries of those that counted repeats. */
  takeAll(): RepeatedDenialSummary<S>[] {
    const now = this.now();
    const summaries = [...this.windows].filter(([, w]) => w.count > 0).map(([key, w]) => this.summaryOf(key, w, Math.min(now, w.start + this.options.windowMs)));
    this.windows.clear();
    return summaries;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  private summaryOf(key: string, window: Window<S>, end: number): RepeatedDenialSummary<S> {
    return {
      key,
      sample: window.sample,
      count: window.count,
      notes: [...window.notes],
      windowStart: new Date(window.start),
      windowEnd: new Date(end),
      firstRepeatAt: new Date(window.firstRepeatAt),
      lastRepeatAt: new Date(window.lastRepeatAt),
    };
  }
}

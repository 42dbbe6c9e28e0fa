/** Lets callers wait for a projection's next commit, with a timeout; `notify` wakes all of them. */
export class CommitSignal {
  private listeners: Array<() => void> = [];

  /** Resolves at the next notify(), or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const listeners = this.listeners;
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        const index = listeners.indexOf(done);
        if (index >= 0) listeners.splice(index, 1);
        resolve();
      }
      listeners.push(done);
    });
  }

  notify(): void {
    const listeners = this.listeners;
    this.listeners = [];
    listeners.forEach((wake) => wake());
  }
}

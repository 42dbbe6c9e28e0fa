import { Position } from '../../event-store/event-store.port';
import { ProjectionStatus } from '../projection-runner';
import { CommitSignal } from '../commit-signal';
import { ProjectionRunnerView } from '../projection-runner-view';

/** The main thread's mirror of a projection running in the worker, fed by its status messages. */
export class RemoteRunnerView implements ProjectionRunnerView {
  private latest: ProjectionStatus;
  private readonly committed = new CommitSignal();

  constructor(readonly name: string, version: number) {
    this.latest = { name, version, state: 'catching-up', checkpoint: null, lagMs: 0, lastError: null, parkedCount: 0, parked: [] };
  }

  update(status: ProjectionStatus): void {
    const advanced = status.checkpoint !== this.latest.checkpoint;
    this.latest = status;
    if (advanced) this.committed.notify();
  }

  markFailing(reason: string): void {
    this.latest = { ...this.latest, state: 'failing', lastError: reason };
  }

  status(): ProjectionStatus {
    return this.latest;
  }

  nextCommit(timeoutMs: number): Promise<void> {
    return this.committed.wait(timeoutMs);
  }

  async waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = this.latest.checkpoint;
      if (checkpoint !== null && checkpoint >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.nextCommit(left);
    }
  }
}

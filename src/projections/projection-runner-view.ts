import { Position } from '../event-store/event-store.port';
import { ProjectionStatus } from './projection-runner';

/** What the rest of the app needs of a running projection, wherever it runs (main thread or worker). */
export interface ProjectionRunnerView {
  readonly name: string;
  status(): ProjectionStatus;
  /** Resolves after the projection's next commit, or after `timeoutMs`. */
  nextCommit(timeoutMs: number): Promise<void>;
  /** Resolves true once an event at or after `position` is applied; false on timeout. */
  waitFor(position: Position, timeoutMs: number): Promise<boolean>;
}

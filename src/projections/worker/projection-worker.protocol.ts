import { AppConfig } from '../../config/app-config';
import { ProjectionStatus } from '../projection-runner';

export interface ProjectionWorkerData {
  config: AppConfig;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'status'; statuses: ProjectionStatus[] }
  | { type: 'failed'; error: string };

/** Main thread → worker. */
export type HostMessage = { type: 'stop' };

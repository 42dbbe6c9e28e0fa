import { Logger } from '@nestjs/common';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../../config/app-config';
import { ProjectionDefinition } from '../../read-store/read-store.port';
import { HostMessage, ProjectionWorkerData, WorkerMessage } from './projection-worker.protocol';
import { RemoteRunnerView } from './remote-runner-view';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/** Starts the projection worker thread, mirrors its status, and restarts it if it dies. */
export class ProjectionWorkerHost {
  private readonly logger = new Logger('ProjectionWorker');
  readonly views = new Map<string, RemoteRunnerView>();
  private worker: Worker | null = null;
  private stopping = false;
  private restartDelayMs = 1000;

  constructor(
    private readonly config: AppConfig,
    definitions: ProjectionDefinition[],
  ) {
    for (const d of definitions) this.views.set(d.name, new RemoteRunnerView(d.name, d.version));
  }

  /** Resolves once the worker has prepared every projection (collections exist, versions checked). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(entryFile(), {
        workerData: { config: this.config } satisfies ProjectionWorkerData,
        // A profiled service (node --cpu-prof, bench/ingestion.profile.ts) profiles this thread too.
        execArgv: [...process.execArgv.filter((arg) => arg.startsWith('--cpu-prof')), ...(entryFile().endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [])],
        name: 'projections',
      });
      this.worker = worker;
      const timer = setTimeout(() => reject(new Error('projection worker did not become ready')), READY_TIMEOUT_MS);
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(timer);
            this.restartDelayMs = 1000;
            resolve();
            break;
          case 'status':
            message.statuses.forEach((s) => this.views.get(s.name)?.update(s));
            break;
          case 'failed':
            clearTimeout(timer);
            this.logger.error({ msg: 'projection worker failed', error: message.error });
            reject(new Error(`projection worker failed: ${message.error.split('\n')[0]}`));
            break;
        }
      });
      worker.on('error', (error) => this.logger.error({ msg: 'projection worker error', error: error.message }));
      worker.on('exit', (code) => {
        clearTimeout(timer);
        if (this.stopping) return;
        const reason = `projection worker exited with code ${code}`;
        this.logger.error({ msg: `${reason}; restarting`, retryInMs: this.restartDelayMs });
        this.views.forEach((view) => view.markFailing(reason));
        reject(new Error(reason));
        setTimeout(() => void this.start().catch(() => undefined), this.restartDelayMs).unref();
        this.restartDelayMs = Math.min(this.restartDelayMs * 2, 30_000);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies HostMessage);
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** The worker entry next to this file: compiled JS in production, TypeScript under ts-node/jest. */
function entryFile(): string {
  const ext = path.extname(__filename);
  return path.join(__dirname, `projection-worker.main${ext}`);
}

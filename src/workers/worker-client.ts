import { Worker } from 'node:worker_threads';

/**
 * A worker thread that answers requests by id (`{ id, ...request }` in, `{ id, ...answer }` out).
 * Started on first use. If it dies, the requests in flight fail with the reason and the next request
 * starts a new thread. It keeps the process alive only while a request is in flight, so a forgotten
 * client never holds a process open, and a pending request is never cut off by the process exiting.
 * `entry` is the worker's main file; a `.ts` entry (tests) runs through ts-node.
 */
export class WorkerClient<Request extends object, Answer extends { id: number }> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor(
    private readonly entry: string,
    private readonly options: { name: string; workerData?: unknown; onLost?: (error: Error) => void },
  ) {}

  get started(): boolean {
    return this.worker !== null;
  }

  request(request: Request): Promise<Answer> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...request, id });
    });
  }

  /** Stops the thread; requests still in flight fail with `reason`. */
  async terminate(reason = new Error(`${this.options.name} thread stopped`)): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failPending(reason);
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.entry, {
      workerData: this.options.workerData,
      execArgv: this.entry.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [],
      name: this.options.name,
    });
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const request = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      request?.resolve(answer);
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.options.onLost?.(error);
      this.failPending(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`${this.options.name} thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failPending(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((request) => request.reject(error));
  }
}

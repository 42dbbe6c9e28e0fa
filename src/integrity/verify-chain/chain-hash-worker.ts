import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { StoredAuditEvent } from '../../audit-log/audit-event';
import { HashAnswer, HashRequest } from './chain-hashing';

interface Pending {
  resolve: (problems: Array<string | null>) => void;
  reject: (error: Error) => void;
}

/**
 * One worker thread that recomputes chain hashes for long verifications, so that hashing (~0.1 ms
 * per event here) does not compete with requests on the event loop (issue 14 item 4). Started on first
 * use; requests are answered in order; if the thread dies, the requests in flight fail and the next
 * request starts a new thread.
 */
@Injectable()
export class ChainHashWorker implements OnModuleDestroy {
  private readonly logger = new Logger('ChainHashWorker');
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** `hashProblemOf` of each event (null: the hash matches), computed on the worker thread. */
  problemsOf(events: StoredAuditEvent[]): Promise<Array<string | null>> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, events } satisfies HashRequest);
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failPending(new Error('chain hash worker stopped'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const entry = path.join(__dirname, `chain-hash-worker.main${path.extname(__filename)}`);
    const worker = new Worker(entry, { execArgv: entry.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [], name: 'chain-hashing' });
    worker.unref();
    worker.on('message', (answer: HashAnswer) => {
      const request = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      request?.resolve(answer.problems);
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.logger.error({ msg: 'chain hash worker died; the next verification starts a new one', error: error.message });
      this.failPending(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`chain hash worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failPending(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((request) => request.reject(error));
  }
}

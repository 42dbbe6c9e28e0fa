import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import * as path from 'node:path';
import { StoredAuditEvent } from '../../audit-log/audit-event';
import { WorkerClient } from '../../workers/worker-client';
import { HashAnswer, HashRequest } from './chain-hashing';

/**
 * One worker thread that recomputes chain hashes for long verifications, so that hashing (~0.1 ms
 * per event here) does not compete with requests on the event loop (issue 14 item 4). Requests are
 * answered in order; if the thread dies, the requests in flight fail and the next request starts a
 * new thread (WorkerClient).
 */
@Injectable()
export class ChainHashWorker implements OnModuleDestroy {
  private readonly logger = new Logger('ChainHashWorker');
  private readonly client = new WorkerClient<Omit<HashRequest, 'id'>, HashAnswer>(path.join(__dirname, `chain-hash-worker.main${path.extname(__filename)}`), {
    name: 'chain-hashing',
    onLost: (error) => this.logger.error({ msg: 'chain hash worker died; the next verification starts a new one', error: error.message }),
  });

  /** `hashProblemOf` of each event (null: the hash matches), computed on the worker thread. */
  async problemsOf(events: StoredAuditEvent[]): Promise<Array<string | null>> {
    return (await this.client.request({ events })).problems;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.terminate(new Error('chain hash worker stopped'));
  }
}

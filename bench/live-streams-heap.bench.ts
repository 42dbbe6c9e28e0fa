/**
 * Whether live tails leave anything behind once closed (issue 8 item 9: "not returned after they
 * close"). RSS cannot tell: V8 and the allocator keep freed memory. This runs the service in-process
 * with `--expose-gc`, opens and closes STREAMS tails CYCLES times, and prints the JS heap in use after
 * full collections: with the streams open, and after they closed.
 * Usage: node --expose-gc -r ts-node/register/transpile-only bench/live-streams-heap.bench.ts
 *        (env STREAMS=1000, CYCLES=4, KIND=audit|notifications)
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createTestApp } from '../test/support/test-app';
import { bearer } from '../test/support/tokens';

const STREAMS = Number(process.env.STREAMS ?? 1000);
const CYCLES = Number(process.env.CYCLES ?? 4);
const KIND = process.env.KIND ?? 'audit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
}

function ask(worker: Worker, cmd: string, answer: string): Promise<void> {
  return new Promise((resolve) => {
    worker.on('message', (message: { cmd: string }) => message.cmd === answer && resolve());
    worker.postMessage({ cmd });
  });
}

async function main(): Promise<void> {
  const t = await createTestApp({ env: { STREAM_CONCURRENCY_PER_TENANT: String(STREAMS * 2), STREAM_CONCURRENCY_PER_USER: String(STREAMS), LOG_LEVEL: 'warn' } });
  await t.app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
  const readers = Array.from({ length: 50 }, (_, i) => bearer({ roles: ['compliance_officer'], sub: `officer-${i}` }));
  const before = heapMb();
  const cycles: Array<{ open: number; closed: number }> = [];
  for (let c = 0; c < CYCLES; c++) {
    const worker = new Worker(path.join(__dirname, 'lib', 'live-tail-consumers.js'), { workerData: { url, authorizations: readers, streams: STREAMS, kind: KIND } });
    await ask(worker, 'open', 'opened');
    await sleep(1000);
    const open = heapMb();
    await ask(worker, 'close', 'closed');
    await worker.terminate();
    await sleep(3000);
    cycles.push({ open, closed: heapMb() });
  }
  await t.close();
  const growth = cycles[cycles.length - 1].closed - cycles[0].closed;
  console.log(JSON.stringify({ date: new Date().toISOString(), kind: KIND, streams: STREAMS, heapBeforeMb: before, cycles }, null, 2));
  // One more cycle's worth of retained objects per stream (~30 KB each while open) would be ~30 MB.
  const ok = growth <= 5;
  console.log(`${ok ? 'PASS' : 'FAIL'} heap after the last close within 5 MB of the first (${cycles.map((c) => c.closed).join(' → ')} MB)`);
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

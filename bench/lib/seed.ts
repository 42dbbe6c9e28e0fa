import autocannon from 'autocannon';
import { makeEvent, rng } from './audit-events';
import { sleep } from './service';

const BATCH = 500;

/**
 * Ingests `events` events of the bench mix through the batch API (4 clients, 500 per batch), their
 * occurredAt spread in order over [start, start + spanMs) as a log's are. Returns events/s.
 */
export async function seedThroughBatchApi(url: string, writer: string, events: number, start: number, spanMs: number): Promise<number> {
  const r = rng(99);
  let next = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: 4,
    amount: Math.ceil(events / BATCH),
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/v1/audit-events/batch',
        headers: { 'content-type': 'application/json', authorization: writer },
        setupRequest: (req) => {
          const batch = Array.from({ length: BATCH }, () => makeEvent(r, { at: start + Math.floor((next++ / events) * spanMs) }));
          return { ...req, body: JSON.stringify({ events: batch }) };
        },
      },
    ],
  });
  if (result.non2xx || result.errors) throw new Error(`seeding failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return (result['2xx'] * BATCH) / ((performance.now() - started) / 1000);
}

/** Waits until the named projection (default: every one) has applied the newest event of the log. */
export async function waitCaughtUp(url: string, projection?: string): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { projections: Array<{ name: string; eventsBehind: number | null }> };
    const watched = health.projections.filter((p) => projection === undefined || p.name === projection);
    if (watched.length > 0 && watched.every((p) => p.eventsBehind === 0)) return;
    await sleep(500);
  }
}

import { makeEvent, rng } from './audit-events';
import { sleep } from './service';

const BATCH = 500;

/**
 * Ingests `events` events of the bench mix through the batch API (4 clients, 500 per batch), their
 * occurredAt spread in order over [start, start + spanMs) as a log's are. A 429 (the read model is too
 * far behind, ADR 030) is retried after its Retry-After, as a well-behaved client does. Returns events/s.
 */
export async function seedThroughBatchApi(url: string, writer: string, events: number, start: number, spanMs: number): Promise<number> {
  const r = rng(99);
  let next = 0;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (next < events) {
      const count = Math.min(BATCH, events - next);
      const batch = Array.from({ length: count }, () => makeEvent(r, { at: start + Math.floor((next++ / events) * spanMs) }));
      const body = JSON.stringify({ events: batch });
      for (;;) {
        const res = await fetch(`${url}/v1/audit-events/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: writer }, body });
        await res.arrayBuffer();
        if (res.status === 201) break;
        if (res.status !== 429) throw new Error(`seeding failed: HTTP ${res.status}`);
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, client));
  return events / ((performance.now() - started) / 1000);
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

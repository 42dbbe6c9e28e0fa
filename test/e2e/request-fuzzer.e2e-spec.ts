import { EVENT_STORE, EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { FuzzCase, generateCases } from '../support/fuzz/request-fuzzer';
import { routesOf } from '../support/route-inventory';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { NOTIFICATION_STREAM_PREFIX } from '../../src/notifications/notification-streams';
import { DELIVERY_STREAM_PREFIX } from '../../src/webhooks/delivery/delivery-state';
import { REPORT_STREAM_PREFIX } from '../../src/reports/generation/report.events';
import { CHECKPOINT_STREAM_PREFIX } from '../../src/event-store/stream-names';

/** CI size; a bigger run: FUZZ_CASES=20000 FUZZ_SEED=7 npx jest test/e2e/request-fuzzer.e2e-spec.ts --runInBand */
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
/** Statuses that mean "refused as malformed": such a request must not write anything (ADR 007). */
const REFUSED = new Set([400, 413, 415, 422]);
const RECORD_ROUTES = new Set(['/v1/audit-events', '/v1/audit-events/batch']);

/** JSON with object keys sorted: equal text iff equal JSON values (fetch's objects come from another realm than jest's). */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

interface Receipt {
  id: string;
  sequence: number;
}

describe(`Request fuzzer over every route (${CASES} generated cases, seed ${SEED})`, () => {
  let t: TestApp;
  let url: string;
  // Every permission there is: the fuzz reaches every handler, not just the guard.
  const caller = bearer({ roles: ['super_admin', 'audit_writer', 'compliance_officer'], sub: 'fuzz', actorType: 'service' });
  beforeAll(async () => {
    // Quiet the one background writer (signed checkpoints), so that "nothing was written" can be checked on the global head.
    t = await createTestApp({ env: { CHECKPOINT_INTERVAL_SECONDS: '86400', CHECKPOINT_EVERY_EVENTS: '10000000', ACCESS_DENIAL_WINDOW_SECONDS: '86400' } });
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => t.close());

  async function send(c: FuzzCase): Promise<{ status: number; type: string; text: string }> {
    const abort = new AbortController();
    const res = await fetch(`${url}${c.url}`, { method: c.method, headers: { authorization: caller, ...c.headers }, body: c.body, signal: abort.signal });
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      abort.abort(); // a live tail never ends by itself
      return { status: res.status, type, text: '' };
    }
    return { status: res.status, type, text: await res.text() };
  }

  /**
   * Writes that reactors make in the background while a request runs, as consequences of earlier
   * accepted requests: alert notifications, webhook deliveries and their cursor, checkpoints, and the
   * progress of reports already requested (a refused request creates no report stream).
   */
  function isBackgroundWrite(event: RecordedEvent): boolean {
    if ([NOTIFICATION_STREAM_PREFIX, DELIVERY_STREAM_PREFIX, 'webhookcursor-', CHECKPOINT_STREAM_PREFIX].some((prefix) => event.stream.startsWith(prefix))) return true;
    return event.stream.startsWith(REPORT_STREAM_PREFIX) && event.revision > 0;
  }

  /** Submitted members that the stored event does not hold as sent (after the documented normalisations). */
  function alterations(submitted: Record<string, unknown>, stored: Record<string, unknown>): string[] {
    const changed: string[] = [];
    for (const [key, value] of Object.entries(submitted)) {
      if (key === 'tenantId') continue;
      if (key === 'occurredAt') {
        if (Date.parse(String(value)) !== Date.parse(String(stored.occurredAt))) changed.push(key);
      } else if (key === 'id') {
        if (String(value).toLowerCase() !== stored.id) changed.push(key);
      } else if (sortedJson(value) !== sortedJson(stored[key])) changed.push(key);
    }
    return changed;
  }

  it('answers no 5xx, writes nothing for refused input, and stores accepted events exactly as sent', async () => {
    const head = () => t.app.get<EventStore>(EVENT_STORE).headPosition();
    const routes = routesOf(t.app).map(({ method, path }) => ({ method, path }));
    const cases = generateCases(routes, CASES, SEED);
    const serverErrors: string[] = [];
    const writesFromRefused: string[] = [];
    const altered: string[] = [];
    const statuses = new Map<number, number>();
    let accepted = 0;
    for (const c of cases) {
      const before = await head();
      const res = await send(c);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const label = `#${c.index} ${c.method} ${c.url.slice(0, 120)} [${c.mutation.slice(0, 120)}] → ${res.status}`;
      if (res.status >= 500) serverErrors.push(`${label} ${res.text.slice(0, 200)}`);
      if (REFUSED.has(res.status)) {
        if (!res.type.startsWith('application/problem+json')) serverErrors.push(`${label}: refusal is not problem+json (${res.type})`);
        const after = await head();
        if (after !== before) {
          const written = (await t.app.get<EventStore>(EVENT_STORE).readAll({ after: before, maxCount: 10_000 })).filter((e) => !isBackgroundWrite(e));
          if (written.length) writesFromRefused.push(`${label}: ${written.map((e) => `${e.stream} ${e.type}`).join(' | ')}`);
        }
      }
      if (c.method === 'POST' && RECORD_ROUTES.has(c.route.path) && (res.status === 200 || res.status === 201)) {
        const sent = JSON.parse(c.body!.toString('utf8')) as Record<string, unknown>;
        const submitted = (c.route.path.endsWith('/batch') ? (sent.events as Array<Record<string, unknown>>) : [sent]);
        const body = JSON.parse(res.text) as Receipt | { results: Receipt[] };
        const receipts = 'results' in body ? body.results : [body];
        for (const [i, receipt] of receipts.entries()) {
          accepted++;
          const stored = await fetch(`${url}/v1/audit-events/${receipt.id}?minSequence=${receipt.sequence}`, { headers: { authorization: caller } });
          const changed = alterations(submitted[i], (await stored.json()) as Record<string, unknown>);
          if (stored.status !== 200 || changed.length) altered.push(`${label}: event ${receipt.id} ${stored.status} altered ${changed.join(', ')}`);
        }
      }
    }
    expect({ serverErrors, writesFromRefused, altered }).toEqual({ serverErrors: [], writesFromRefused: [], altered: [] });
    // The run exercised both sides: refusals and accepted events read back.
    expect([...statuses.keys()].filter((s) => REFUSED.has(s)).length).toBeGreaterThan(1);
    expect(accepted).toBeGreaterThan(0);
  }, 600_000);
});

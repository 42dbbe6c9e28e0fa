import * as http from 'node:http';

/**
 * An open-loop load generator: requests are due at a fixed rate, evenly spaced (request i at
 * start + i / rate), whether or not earlier ones were answered. Latency is measured from when a
 * request was due, not from when it was sent, so a stall of the service (or of this process) counts
 * for every request it delayed (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per second and sends that
 * quota back to back at the start of the second, so "1,000 req/s over 100 connections" arrives as a
 * burst of 100 concurrent requests each second. Its coordinated-omission correction then assumes
 * one request per `1 / rate` ms per connection (1 ms), which adds synthetic samples to every
 * response slower than 1 ms.
 */
export interface OpenLoopOptions {
  url: string;
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** The body of request i (called when it is due). */
  body?: (i: number) => string;
  /** Keep-alive sockets at most; a request due while all are busy waits for one (and that wait counts). */
  connections: number;
  /** A request not answered in this time counts as an error. */
  timeoutMs: number;
}

export interface OpenLoopResult {
  due: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  /** Milliseconds from due to the response's end, 2xx only. */
  latencies: number[];
  /** Requests per second answered 2xx over the run. */
  achievedRate: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  const total = Math.round(options.rate * options.seconds);
  const intervalMs = 1000 / options.rate;
  const result: OpenLoopResult = { due: total, '2xx': 0, non2xx: 0, errors: 0, latencies: [], achievedRate: 0 };
  let sent = 0;
  let settled = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const settle = () => {
    settled++;
    if (settled === total) resolveAll();
  };

  const send = (i: number, dueAt: number) => {
    const body = options.body?.(i);
    let answered = false;
    // Each request is counted once, however it ends (a reset can follow a complete response).
    const answer = (outcome: '2xx' | 'non2xx' | 'errors') => {
      if (answered) return;
      answered = true;
      result[outcome]++;
      if (outcome === '2xx') result.latencies.push(performance.now() - dueAt);
      settle();
    };
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method,
        path: options.path,
        agent,
        headers: body === undefined ? options.headers : { ...options.headers, 'content-length': Buffer.byteLength(body) },
        timeout: options.timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('error', () => answer('errors'));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          answer(status >= 200 && status < 300 ? '2xx' : 'non2xx');
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => answer('errors'));
    request.end(body);
  };

  const started = performance.now();
  // Sends every request that is due by now, then yields; a late tick sends the overdue ones at once,
  // and their latency still counts from when they were due.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * intervalMs <= now) {
        send(sent, started + sent * intervalMs);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
      else resolve();
    };
    tick();
  });
  if (total > 0) await all;
  agent.destroy();
  result.achievedRate = result['2xx'] / ((performance.now() - started) / 1000);
  return result;
}

/** Percentiles of an open-loop run's latencies (ms, 0.1 ms resolution). */
export function latencySummary(latencies: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? NaN : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10);
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.length === 0 ? NaN : Math.round(sorted[sorted.length - 1] * 10) / 10 };
}

import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { guardedLookup, literalAddressProblem, UrlPolicy } from '../security/url-policy';

/** At most this much of a response body is read (kept as the error excerpt); the rest is never read. */
export const MAX_RESPONSE_BYTES = 4096;
/** Error excerpts in the delivery log. */
export const MAX_ERROR_EXCERPT = 500;

export interface SendResult {
  /** HTTP status, or null when no response arrived (refused, DNS, timeout, connection error). */
  status: number | null;
  durationMs: number;
  /** Why the attempt failed, or the start of a non-2xx response body; null on 2xx. */
  error: string | null;
  /** Retry-After of the response, in ms from now (seconds or an HTTP date); null when absent or unreadable. */
  retryAfterMs: number | null;
}

export interface SendOptions {
  timeoutMs: number;
  policy: UrlPolicy;
  now: () => number;
  /** Aborts the attempt (service shutdown); the result then says `aborted`. */
  signal?: AbortSignal;
  /** Name resolution (default dns.lookup). */
  resolve?: typeof dns.lookup;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * One POST of a webhook: connects only to a checked address (see url-policy), never follows redirects
 * (a 3xx is a failed attempt), reads at most 4 KiB of the answer, and gives up after `timeoutMs` for the
 * whole exchange.
 */
export function sendWebhook(target: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return finish({ status: null, error: 'invalid URL', retryAfterMs: null });
    }
    const refused = literalAddressProblem(url, options.policy);
    if (refused) return finish({ status: null, error: refused.message, retryAfterMs: null });
    if (options.policy.httpsOnly && url.protocol !== 'https:') return finish({ status: null, error: 'refused: https is required in production', retryAfterMs: null });
    const client = url.protocol === 'https:' ? https : http;
    const payload = Buffer.from(body, 'utf8');
    const request = client.request(url, {
      method: 'POST',
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      lookup: guardedLookup(options.policy, options.resolve),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'compliance-audit-trail-webhooks/1' },
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`timeout after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    timer.unref?.();
    options.signal?.addEventListener('abort', () => request.destroy(new Error('aborted')), { once: true });
    request.on('error', (error) => finish({ status: null, error: excerpt(error.message), retryAfterMs: null }));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const retryAfterMs = retryAfterOf(response.headers['retry-after'], options.now());
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const ok = status >= 200 && status < 300;
        const text = Buffer.concat(chunks).toString('utf8');
        finish({ status, error: ok ? null : excerpt(text.length ? `HTTP ${status}: ${text}` : `HTTP ${status}`), retryAfterMs });
      };
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
        size += chunk.length;
        if (size >= MAX_RESPONSE_BYTES) {
          // Enough: the rest of a large (or endless) answer is not read; the socket is not reused.
          response.destroy();
          done();
        }
      });
      response.on('end', done);
      response.on('error', done);
      response.on('close', done);
    });
    request.end(payload);
  });
}

function excerpt(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return clean.length > MAX_ERROR_EXCERPT ? `${clean.slice(0, MAX_ERROR_EXCERPT)}…` : clean;
}

/** `Retry-After: 120` or an HTTP date → ms from `now` (never negative); null if absent or malformed. */
export function retryAfterOf(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d{1,10}$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

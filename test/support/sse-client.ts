import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Messages received so far, in arrival order. */
  messages: SseMessage[];
  /** Comment lines (`: …`) received so far, without the leading colon. */
  comments: string[];
  /** Resolves once `predicate` holds for the messages received (checked on every arrival). */
  waitFor(predicate: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves with the first comment that matches. */
  waitForComment(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Ends the connection from the client side. */
  close(): void;
}

/** The base URL of an app that was started with `app.listen(0, '127.0.0.1')`. */
export function baseUrlOf(server: http.Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address}:${port}`;
}

/**
 * Opens a Server-Sent Events request with a raw node:http GET and parses the stream incrementally
 * (WHATWG EventSource framing: `field: value` lines, a blank line ends a message). Resolves once the
 * response headers have arrived; a non-2xx response is returned with its body in `messages[0].data`.
 */
export function openSse(baseUrl: string, path: string, headers: Record<string, string>): Promise<SseConnection> {
  return new Promise((resolveOpen, rejectOpen) => {
    const req = http.get(`${baseUrl}${path}`, { headers: { Accept: 'text/event-stream', ...headers } });
    req.on('error', (error) => {
      if (!opened) rejectOpen(error);
    });
    let opened = false;
    req.on('response', (res) => {
      opened = true;
      res.setEncoding('utf8');
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      const listeners = new Set<() => void>();
      const notify = () => listeners.forEach((l) => l());
      let buffer = '';
      let current: SseMessage = { data: '' };
      let hasData = false;
      const ok = (res.statusCode ?? 0) < 300;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (!ok) return;
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (hasData || current.id !== undefined || current.event !== undefined) messages.push(current);
            current = { data: '' };
            hasData = false;
          } else if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') current.id = value;
            else if (field === 'event') current.event = value;
            else if (field === 'data') {
              current.data = hasData ? `${current.data}\n${value}` : value;
              hasData = true;
            }
          }
        }
        notify();
      });
      res.on('end', () => {
        if (!ok) messages.push({ data: buffer });
        notify();
      });
      res.on('error', () => undefined);

      const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
        new Promise((resolve, reject) => {
          const attempt = () => {
            const value = check();
            if (value === undefined) return false;
            listeners.delete(attempt);
            clearTimeout(timer);
            resolve(value);
            return true;
          };
          const timer = setTimeout(() => {
            listeners.delete(attempt);
            reject(new Error(`SSE: timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(messages.map((m) => m.id))}`));
          }, timeoutMs);
          if (!attempt()) listeners.add(attempt);
        });

      resolveOpen({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments,
        waitFor: (predicate, timeoutMs = 5000) => waitUntil(() => (predicate(messages) ? messages : undefined), timeoutMs, 'the expected messages'),
        waitForComment: (pattern, timeoutMs = 5000) =>
          waitUntil(() => comments.map((c) => c.match(pattern)).find((m): m is RegExpMatchArray => m !== null), timeoutMs, `a comment ${pattern}`),
        close: () => {
          res.destroy();
          req.destroy();
        },
      });
    });
  });
}

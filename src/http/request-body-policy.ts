import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body this service does not read: wrong media type, charset or encoding, or not UTF-8. */
export class UnacceptableRequestBodyError extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
    /** body-parser's convention, so that its own errors and ours take the same path to the filter. */
    readonly type = status === 400 ? 'entity.verify.failed' : 'entity.unsupported',
  ) {
    super(message);
    this.name = 'UnacceptableRequestBodyError';
  }
}

const JSON_MEDIA_TYPE = 'application/json';

/** True when the request carries a body (an empty Content-Length: 0 body counts as none). */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

/**
 * Every body this API reads is JSON in UTF-8 (RFC 8259 §8.1). Anything else is refused with 415
 * before any parser runs, so that a form or text body is never turned into an event:
 * a media type other than application/json (or none), a charset other than utf-8.
 * Runs before the JSON parser; unknown Content-Encodings are refused by the parser itself (415).
 */
export function refuseNonJsonBodies(req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
  if (!hasBody(req)) return next();
  const header = req.headers['content-type'];
  if (header === undefined) return next(new UnacceptableRequestBodyError(415, `A request body needs Content-Type: ${JSON_MEDIA_TYPE}`));
  const [mediaType, ...parameters] = header.split(';').map((part) => part.trim());
  if (mediaType.toLowerCase() !== JSON_MEDIA_TYPE) {
    return next(new UnacceptableRequestBodyError(415, `Content-Type ${JSON.stringify(mediaType)} is not accepted; send ${JSON_MEDIA_TYPE} (UTF-8)`));
  }
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=').map((part) => part.trim());
    if (name.toLowerCase() === 'charset' && value.replace(/^"|"$/g, '').toLowerCase() !== 'utf-8') {
      return next(new UnacceptableRequestBodyError(415, `charset ${JSON.stringify(value)} is not accepted; JSON bodies must be utf-8`));
    }
  }
  next();
}

/**
 * The JSON parser's `verify` hook: the decoded body must be well-formed UTF-8. Without it the parser
 * replaces invalid bytes with U+FFFD and the event is stored altered, which evidence must never be.
 */
export function requireUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (!isUtf8(body)) throw new UnacceptableRequestBodyError(400, 'The request body is not well-formed UTF-8 (invalid byte sequence); nothing was recorded');
}

/**
 * Deepest nesting of objects and arrays any JSON body may have. Far above what any route accepts (an
 * event allows 32 levels and names the first one past them), it only protects the recursive code that
 * reads bodies (DTO transformation, validation) from exhausting the stack: 5,000 levels used to answer 500.
 */
export const MAX_BODY_DEPTH = 256;

/** Path of the first object or array nested deeper than `maxDepth` (the body itself is level 1), or null. */
export function pathBeyondDepth(body: unknown, maxDepth: number): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: body, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return path || '(body)';
    const entries = Array.isArray(value) ? value.map((item, i) => [`[${i}]`, item] as const) : Object.entries(value).map(([key, item]) => [path ? `.${key}` : key, item] as const);
    for (const [suffix, item] of entries) if (typeof item === 'object' && item !== null) stack.push({ value: item, depth: depth + 1, path: `${path}${suffix}` });
  }
  return null;
}

/**
 * After the JSON parser: refuses a body nested deeper than {@link MAX_BODY_DEPTH} with 422 and the path.
 * `ownWalkPaths` are routes whose validation already walks bodies iteratively with a tighter limit and
 * names the first level past it (audit-event ingestion, ADR 011); their answers stay as they are.
 */
export function refuseDeepBodies(ownWalkPaths: readonly string[]) {
  const exempt = new Set(ownWalkPaths);
  return (req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: (error?: unknown) => void): void => {
    if (exempt.has((req.url ?? '').split('?')[0].replace(/\/+$/, ''))) return next();
    const path = pathBeyondDepth(req.body, MAX_BODY_DEPTH);
    next(path === null ? undefined : new BodyTooDeepError(path));
  };
}

export class BodyTooDeepError extends Error {
  constructor(readonly path: string) {
    super(`The request body nests deeper than ${MAX_BODY_DEPTH} levels`);
    this.name = 'BodyTooDeepError';
  }
}

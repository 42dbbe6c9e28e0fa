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

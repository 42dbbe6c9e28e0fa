import { BadRequestException } from '@nestjs/common';

const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|\d{12}$/;

/** Opaque page cursor: the sort key (occurredAt|sequence) of the last item of the previous page. */
export function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: sortKey })).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown };
    if (parsed.v === 1 && typeof parsed.k === 'string' && SORT_KEY.test(parsed.k)) return parsed.k;
  } catch {
    // fall through
  }
  throw new BadRequestException('cursor is not one this API issued');
}

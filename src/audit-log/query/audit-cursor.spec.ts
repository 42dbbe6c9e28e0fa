import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './audit-cursor';

const SORT_KEY = '2026-11-26T09:15:00.000Z|000000000042';

/** A cursor with an arbitrary payload, encoded the way this API encodes cursors. */
function cursorOf(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function expectRejected(cursor: string): void {
  expect(() => decodeCursor(cursor)).toThrow(BadRequestException);
  expect(() => decodeCursor(cursor)).toThrow('cursor is not one this API issued');
}

describe(encodeCursor.name, () => {
  it('is URL-safe, so it can travel in a query string unescaped', () => {
    expect(encodeCursor(SORT_KEY)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('does not show the sort key in clear', () => {
    expect(encodeCursor(SORT_KEY)).not.toContain('2026');
  });
});

describe(decodeCursor.name, () => {
  it.each([SORT_KEY, '1970-01-01T00:00:00.000Z|000000000000', '2099-12-31T23:59:59.999Z|999999999999'])('round-trips %s', (sortKey) => {
    expect(decodeCursor(encodeCursor(sortKey))).toBe(sortKey);
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not a cursor!'],
    ['base64 of text that is not JSON', Buffer.from('hello').toString('base64url')],
    ['a truncated cursor', encodeCursor(SORT_KEY).slice(0, -6)],
    ['a cursor with a flipped character', 'f' + encodeCursor(SORT_KEY).slice(1)],
  ])('rejects %s', (_, cursor) => {
    expectRejected(cursor);
  });

  it.each([
    ['JSON null', null],
    ['a JSON string', SORT_KEY],
    ['an array', [1, SORT_KEY]],
    ['another version', { v: 2, k: SORT_KEY }],
    ['a version given as a string', { v: '1', k: SORT_KEY }],
    ['no version', { k: SORT_KEY }],
    ['no sort key', { v: 1 }],
    ['a numeric sort key', { v: 1, k: 42 }],
    ['a sort key without sequence', { v: 1, k: '2026-11-26T09:15:00.000Z' }],
    ['a sort key with a short sequence', { v: 1, k: '2026-11-26T09:15:00.000Z|42' }],
    ['a sort key with an offset instead of Z', { v: 1, k: '2026-11-26T09:15:00.000+01:00|000000000042' }],
    ['a sort key with trailing text', { v: 1, k: `${SORT_KEY}' OR 1=1` }],
  ])('rejects a well-encoded payload with %s', (_, payload) => {
    expectRejected(cursorOf(payload));
  });
});

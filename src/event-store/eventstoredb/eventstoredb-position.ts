import { Position as EsdbPosition } from '@kurrent/kurrentdb-client';
import { Position } from '../event-store.port';

const WIDTH = 20;

/** What servers before 22.6 send as the position of events read from a stream: "unknown". */
const UNKNOWN = 2n ** 64n - 1n;

export function isKnownEsdbPosition(position: EsdbPosition | undefined): position is EsdbPosition {
  return position !== undefined && position.commit !== UNKNOWN && position.prepare !== UNKNOWN;
}

/** ESDB {commit, prepare} → opaque, lexically ordered position string. */
export function encodeEsdbPosition(position: EsdbPosition): Position {
  return `${position.commit.toString().padStart(WIDTH, '0')}.${position.prepare.toString().padStart(WIDTH, '0')}`;
}

export function decodeEsdbPosition(position: Position): EsdbPosition {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(position);
  if (!match) throw new Error(`Not a position of this event store: "${position}"`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** Re-encodes a caller's position so that string comparisons against our own encodings are exact. */
export function normalizeEsdbPosition(position: Position | null | undefined): Position | null {
  return position ? encodeEsdbPosition(decodeEsdbPosition(position)) : null;
}

import { Position as EsdbPosition } from '@eventstore/db-client';
import { Position } from '../event-store.port';

const WIDTH = 20;

/** ESDB {commit, prepare} → opaque, lexically ordered position string. */
export function encodeEsdbPosition(position: EsdbPosition): Position {
  return `${position.commit.toString().padStart(WIDTH, '0')}.${position.prepare.toString().padStart(WIDTH, '0')}`;
}

export function decodeEsdbPosition(position: Position): EsdbPosition {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(position);
  if (!match) throw new Error(`Not a position of this event store: "${position}"`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

import { Position } from '../event-store.port';

const WIDTH = 20;

/** Global sequence → opaque, lexically ordered position string. */
export function encodeSqlitePosition(sequence: number): Position {
  return String(sequence).padStart(WIDTH, '0');
}

export function decodeSqlitePosition(position: Position | null | undefined): number {
  if (position === null || position === undefined) return 0;
  if (!/^\d{1,20}$/.test(position)) throw new Error(`Not a position of this event store: "${position}"`);
  return Number(position);
}

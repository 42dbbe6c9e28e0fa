import { randomUUID } from 'node:crypto';
import * as os from 'node:os';

/** A lease owner id unique to one store instance: host, process and a random suffix (ADR 018). */
export function ownerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

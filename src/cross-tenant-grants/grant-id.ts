import { randomUUID } from 'node:crypto';

/** Grant ids: 32 lower-case hex digits (a UUID without its "-", which stream ids exclude, ADR 004). */
export const GRANT_ID_PATTERN = /^[0-9a-f]{32}$/;

export function newGrantId(): string {
  return randomUUID().replace(/-/g, '');
}

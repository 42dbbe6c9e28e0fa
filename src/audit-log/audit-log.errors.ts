/** The id was recorded before with different content: an idempotency key must not be reused. */
export class IdempotencyConflictError extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} was already recorded with different content`);
    this.name = 'IdempotencyConflictError';
  }
}

/** The log could not be appended to (store unavailable, or too much contention). Nothing was written. */
export class AuditLogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditLogUnavailableError';
  }
}

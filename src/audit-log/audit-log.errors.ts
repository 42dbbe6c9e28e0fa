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

/** A submission holds something the log cannot record (e.g. a lone surrogate); nothing of it was written. */
export class UnrecordableAuditEventError extends Error {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super(`The event cannot be recorded: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'UnrecordableAuditEventError';
  }
}

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

/**
 * Ingestion refused for now: the tenant has more recorded events not yet in its read model than it may
 * (ADR 030). Nothing was written; the client retries after `retryAfterSeconds`.
 */
export class AuditLogBackloggedError extends Error {
  readonly retryAfterSeconds = 2;

  constructor(readonly unprojected: number) {
    super(`${unprojected} recorded events of this tenant are not yet in its read model; nothing was recorded`);
    this.name = 'AuditLogBackloggedError';
  }
}

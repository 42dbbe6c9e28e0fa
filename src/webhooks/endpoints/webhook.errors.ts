/** Typed domain errors of webhooks; webhooks-problems.ts maps them to problem+json. */

/** 404: no such endpoint (or delivery) in the caller's tenant. */
export class WebhookNotFoundError extends Error {
  constructor(what: string) {
    super(`No ${what} in your tenant`);
    this.name = 'WebhookNotFoundError';
  }
}

/** 422: well-formed but not acceptable (the URL's target, an event type, a filter). */
export class InvalidWebhookError extends Error {
  constructor(readonly errors: Array<{ path: string; message: string }>) {
    super('The webhook is not acceptable');
    this.name = 'InvalidWebhookError';
  }
}

/** 409: the request conflicts with the endpoint's state (e.g. replay of audit.events on an endpoint without them). */
export class WebhookConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConflictError';
  }
}

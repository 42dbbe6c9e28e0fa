import { ProblemDetails } from '../http/problem-details.filter';
import { InvalidWebhookError, WebhookConflictError, WebhookNotFoundError } from './endpoints/webhook.errors';

const BASE = 'https://problems.audit-trail.dev';

/** This module's domain errors as problem details (consulted by src/http/domain-problems.ts). */
export function webhooksProblemOf(error: unknown): Omit<ProblemDetails, 'instance' | 'requestId'> | null {
  if (error instanceof WebhookNotFoundError) return { type: `${BASE}/not-found`, title: 'Not Found', status: 404, detail: error.message };
  if (error instanceof WebhookConflictError) return { type: `${BASE}/webhook-conflict`, title: 'Conflict', status: 409, detail: error.message };
  if (error instanceof InvalidWebhookError) {
    return { type: `${BASE}/webhook-target-refused`, title: 'Validation Failed', status: 422, detail: 'The webhook URL is not an allowed target; nothing was changed.', errors: error.errors };
  }
  return null;
}

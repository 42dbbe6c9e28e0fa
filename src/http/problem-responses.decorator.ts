import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (problem+json)',
  401: 'Missing, invalid or expired token (problem+json)',
  403: 'The token lacks the required permission (problem+json)',
  404: 'Not found in your tenant (problem+json)',
  409: 'Conflict, e.g. an idempotency key reused with different content (problem+json)',
  413: 'Too large: > 1000 events, > 5 MiB, or an event > 64 KiB (problem+json)',
  422: 'Validation failed; errors[] lists field paths (problem+json)',
  500: 'The answer cannot be given completely (e.g. type audit-log-incomplete: events of the tenant could not be projected) (problem+json)',
  429: 'Your tenant already runs as many of these reads as it may at once; retry after Retry-After seconds (problem+json)',
  503: 'A store is unavailable or not yet consistent; retry (problem+json)',
};

export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

/** Documents the RFC 9457 problem responses a route can give. */
export function ProblemResponses(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } } }),
    ),
  );
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestContext } from '../logging/request-context';
import { domainProblemOf } from './domain-problems';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Maps every error to an RFC 9457 problem+json response; unexpected errors are logged, not leaked. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const problem = this.toProblem(exception);
    problem.instance = httpAdapter.getRequestUrl(ctx.getRequest());
    problem.requestId = RequestContext.current()?.requestId;
    const response = ctx.getResponse();
    if (httpAdapter.isHeadersSent(response)) {
      // A streamed response (export, SSE) failed midway: the status is gone; end it so the client sees it cut.
      this.logger.error({ msg: 'streamed response failed', status: problem.status, detail: problem.detail });
      httpAdapter.end(response);
      return;
    }
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    if (problem.status === 401) httpAdapter.setHeader(response, 'WWW-Authenticate', 'Bearer');
    const retryAfter = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && (problem.status === 429 || problem.status === 503)) httpAdapter.setHeader(response, 'Retry-After', String(retryAfter));
    httpAdapter.reply(response, JSON.stringify(problem), problem.status);
  }

  private toProblem(exception: unknown): ProblemDetails {
    const domain = domainProblemOf(exception);
    if (domain) return domain;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) {
        return { ...(body as ProblemDetails), status };
      }
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return {
        type: `https://problems.audit-trail.dev/${slug(status)}`,
        title: HttpStatus[status] ? humanize(HttpStatus[status]) : 'Error',
        status,
        detail: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message,
      };
    }
    this.logger.error(exception instanceof Error ? exception : { msg: 'non-error thrown', value: String(exception) });
    return {
      type: 'https://problems.audit-trail.dev/internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged with this request id.',
    };
  }
}

function slug(status: number): string {
  return (HttpStatus[status] ?? 'error').toLowerCase().replace(/_/g, '-');
}

function humanize(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

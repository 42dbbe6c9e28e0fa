import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { PUBLIC_ROUTE } from '../auth/access.decorators';
import { domainProblemOf } from '../http/domain-problems';
import { Principal } from '../auth/principal';
import { ACCESS_RECORDER, AUDIT_CHANGES, AuditedChanges, SELF_AUDIT, SELF_AUDIT_EXEMPT, SelfAuditSpec } from './self-audit.decorators';
import { SelfAuditRecorder, SelfAuditRequest } from './self-audit.recorder';

type HttpRequest = SelfAuditRequest & {
  user?: Principal;
  params: Record<string, string>;
  body?: unknown;
  route?: { path: string };
  [ACCESS_RECORDER]?: () => Promise<void>;
  [AUDIT_CHANGES]?: AuditedChanges;
};

/** Client errors of the request itself: nothing was accessed, so nothing is recorded. */
const isMalformed = (status: number) => status === 400 || status === 413 || status === 422;

/**
 * The one place the service audits itself. Reads are recorded after the handler has its answer and
 * before it is sent, so no data is served without a durable record and a request refused as
 * malformed writes nothing; streaming reads record when they start streaming; mutations are
 * recorded after, with their outcome. A route that is neither @SelfAudited nor @SelfAuditExempt
 * fails (and a test lists every route).
 */
@Injectable()
export class SelfAuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: SelfAuditRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const targets = [context.getHandler(), context.getClass()];
    const spec = this.reflector.getAllAndOverride<SelfAuditSpec | undefined>(SELF_AUDIT, targets);
    if (!spec) {
      const exempt = this.reflector.getAllAndOverride<string | undefined>(SELF_AUDIT_EXEMPT, targets);
      const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets);
      if (exempt || isPublic) return next.handle();
      return throwError(() => new Error(`Route ${context.getClass().name}.${context.getHandler().name} declares no self-audit policy`));
    }
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const principal = request.user!;
    const channel = this.recorder.channelOf(request);
    const auditRequest = { ...request, route: request.route?.path ?? '', method: request.method, query: request.query, headers: request.headers, ip: request.ip };
    const record = (outcome: 'success' | 'failure' | 'denied', detail?: Record<string, unknown>, result?: unknown) =>
      this.recorder.record(principal, auditRequest, {
        action: spec.action,
        outcome,
        resource: { type: spec.resource.type, id: resourceIdOf(spec, request, result) ?? principal.tenantId },
        channel,
        detail,
        changes: outcome === 'success' ? request[AUDIT_CHANGES] : undefined,
      });

    const statusOf = (error: unknown) => (error instanceof HttpException ? error.getStatus() : (domainProblemOf(error)?.status ?? 500));
    switch (spec.kind) {
      case 'read':
        return next.handle().pipe(
          mergeMap((result) => from(record('success')).pipe(mergeMap(() => [result]))),
          catchError((error: unknown) => {
            const status = statusOf(error);
            if (isMalformed(status) || status >= 500) return throwError(() => error);
            return from(record('failure', { status })).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
      case 'stream': {
        let recorded: Promise<void> | null = null;
        request[ACCESS_RECORDER] = () => (recorded ??= record('success'));
        return next.handle().pipe(
          mergeMap((result) => {
            if (!recorded) throw new Error(`${context.getHandler().name} streamed without recording its access`);
            return [result];
          }),
        );
      }
      case 'mutation':
        return next.handle().pipe(
          mergeMap((result) => from(record('success', undefined, result)).pipe(mergeMap(() => [result]))),
          catchError((error: unknown) => {
            const status = statusOf(error);
            if (isMalformed(status)) return throwError(() => error);
            return from(record(status === 403 ? 'denied' : 'failure', { status })).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
    }
  }
}

/** The id of the resource a request concerns, per its {@link SelfAuditSpec}; undefined: the tenant. */
function resourceIdOf(spec: SelfAuditSpec, request: HttpRequest, result: unknown): string | undefined {
  const { param, body, result: resultField } = spec.resource;
  const stringAt = (source: unknown, field: string | undefined) => {
    const value = field && typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && value.length > 0 ? value.slice(0, 256) : undefined;
  };
  return stringAt(request.params, param) ?? stringAt(request.body, body) ?? stringAt(result, resultField);
}

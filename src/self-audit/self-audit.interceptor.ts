import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, Observable, switchMap, throwError } from 'rxjs';
import { PUBLIC_ROUTE } from '../auth/access.decorators';
import { Principal } from '../auth/principal';
import { SELF_AUDIT, SELF_AUDIT_EXEMPT, SelfAuditSpec } from './self-audit.decorators';
import { SelfAuditRecorder, SelfAuditRequest } from './self-audit.recorder';

type HttpRequest = SelfAuditRequest & { user?: Principal; params: Record<string, string>; route?: { path: string } };

/**
 * The one place the service audits itself. Reads are recorded before the handler runs, so no data is
 * served without a durable record; mutations are recorded after, with their outcome. A route that
 * is neither @SelfAudited nor @SelfAuditExempt fails (and a test lists every route).
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
    const resource = { type: spec.resource.type, id: spec.resource.param ? request.params[spec.resource.param] : principal.tenantId };
    const record = (outcome: 'success' | 'failure' | 'denied', detail?: Record<string, unknown>) =>
      this.recorder.record(principal, auditRequest, { action: spec.action, outcome, resource, channel, detail });

    if (spec.kind === 'read') {
      return from(record('success')).pipe(switchMap(() => next.handle()));
    }
    return next.handle().pipe(
      mergeMap((result) => from(record('success')).pipe(mergeMap(() => [result]))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        return from(record(status === 403 ? 'denied' : 'failure', { status })).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}

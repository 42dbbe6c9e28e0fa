import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export const SELF_AUDIT = 'self-audit:action';
export const SELF_AUDIT_EXEMPT = 'self-audit:exempt';

export interface SelfAuditSpec {
  /** Action recorded, e.g. `audit_log.export`. */
  action: string;
  /**
   * `read`: recorded once the handler has produced its answer, before it is sent (nothing is served
   * unrecorded; a malformed request, refused by validation, writes nothing).
   * `stream`: the handler streams its own response and calls the {@link AccessRecorder} it is given
   * before the first byte.
   * `mutation`: recorded after the handler, with its outcome.
   */
  kind: 'read' | 'stream' | 'mutation';
  /** Resource the action concerns; `param` names a route parameter holding its id (default: the tenant). */
  resource: { type: string; param?: string };
}

/** This route is recorded in the caller's tenant audit log (who watched the watchers). */
export const SelfAudited = (spec: SelfAuditSpec) => SetMetadata(SELF_AUDIT, spec);

/** This route is deliberately not self-audited; the reason is required and reviewed in tests. */
export const SelfAuditExempt = (reason: string) => SetMetadata(SELF_AUDIT_EXEMPT, reason);

export const ACCESS_RECORDER = 'selfAuditAccessRecorder';

/** Records the access of a `stream` route; call (and await) it before writing the response. */
export type AccessRecorder = () => Promise<void>;

/** Injects the {@link AccessRecorder} of a `stream` route. */
export const StartAudited = createParamDecorator((_: unknown, context: ExecutionContext): AccessRecorder => {
  const request = context.switchToHttp().getRequest<Record<string, unknown>>();
  const recorder = request[ACCESS_RECORDER] as AccessRecorder | undefined;
  if (!recorder) throw new Error('@StartAudited() needs a route declared @SelfAudited({ kind: "stream" })');
  return recorder;
});

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
  /**
   * Resource the action concerns. Its id is taken from the route parameter `param`, else the string
   * field `body` of the request body, else the string field `result` of the handler's answer (ids the
   * server assigns), else it is the tenant.
   */
  resource: { type: string; param?: string; body?: string; result?: string };
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

export const AUDIT_CHANGES = 'selfAuditChanges';

export interface AuditedChanges {
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** Hands the before/after of a mutation to its self-audit record (`changes`). */
export type ChangesRecorder = (changes: AuditedChanges) => void;

/** Injects the {@link ChangesRecorder} of a `mutation` route: what the change was, for the audit record. */
export const RecordChanges = createParamDecorator((_: unknown, context: ExecutionContext): ChangesRecorder => {
  const request = context.switchToHttp().getRequest<Record<string, unknown>>();
  return (changes) => {
    request[AUDIT_CHANGES] = changes;
  };
});

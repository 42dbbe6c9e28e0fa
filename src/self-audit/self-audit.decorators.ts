import { SetMetadata } from '@nestjs/common';

export const SELF_AUDIT = 'self-audit:action';
export const SELF_AUDIT_EXEMPT = 'self-audit:exempt';

export interface SelfAuditSpec {
  /** Action recorded, e.g. `audit_log.export`. */
  action: string;
  /** `read`: recorded before the handler runs (no unrecorded access). `mutation`: after, with its outcome. */
  kind: 'read' | 'mutation';
  /** Resource the action concerns; `param` names a route parameter holding its id (default: the tenant). */
  resource: { type: string; param?: string };
}

/** This route is recorded in the caller's tenant audit log (who watched the watchers). */
export const SelfAudited = (spec: SelfAuditSpec) => SetMetadata(SELF_AUDIT, spec);

/** This route is deliberately not self-audited; the reason is required and reviewed in tests. */
export const SelfAuditExempt = (reason: string) => SetMetadata(SELF_AUDIT_EXEMPT, reason);

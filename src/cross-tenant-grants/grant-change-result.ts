import { AuditedChanges } from '../self-audit/self-audit.decorators';
import { CrossTenantGrantView } from './cross-tenant-grants.read-model';

/** What a grant command answers: the grant as it now is, and the change for the audit record. */
export interface GrantChangeResult {
  grant: CrossTenantGrantView;
  changes: AuditedChanges;
}

import { AuditedChanges } from '../self-audit/self-audit.decorators';
import { TenantRoleView } from './tenant-roles.read-model';

/** What a role command answers: the role as it now is, and the change for the audit record. */
export interface RoleChangeResult {
  role: TenantRoleView;
  changes: AuditedChanges;
}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AuditedChanges } from '../../self-audit/self-audit.decorators';
import { RoleCommandRunner } from '../role-command-runner';
import { auditedRoleOf } from '../role-view';
import { DeleteRole } from './delete-role.command';

@CommandHandler(DeleteRole)
export class DeleteRoleHandler implements ICommandHandler<DeleteRole, AuditedChanges> {
  constructor(private readonly roles: RoleCommandRunner) {}

  async execute({ principal, name }: DeleteRole): Promise<AuditedChanges> {
    const result = await this.roles.run(principal, { kind: 'delete', name });
    return { before: auditedRoleOf(result.before), after: null };
  }
}

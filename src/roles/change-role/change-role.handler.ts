import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RoleChangeResult } from '../role-change-result';
import { RoleCommandRunner } from '../role-command-runner';
import { auditedRoleOf, roleViewOf } from '../role-view';
import { ChangeRole } from './change-role.command';

@CommandHandler(ChangeRole)
export class ChangeRoleHandler implements ICommandHandler<ChangeRole, RoleChangeResult> {
  constructor(private readonly roles: RoleCommandRunner) {}

  async execute({ principal, name, permissions, description }: ChangeRole): Promise<RoleChangeResult> {
    const result = await this.roles.run(principal, { kind: 'change', name, permissions, description });
    return { role: roleViewOf(name, result.after, result.revision)!, changes: { before: auditedRoleOf(result.before), after: auditedRoleOf(result.after) } };
  }
}

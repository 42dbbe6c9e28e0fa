import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RoleCommandRunner } from '../role-command-runner';
import { auditedRoleOf, roleViewOf } from '../role-view';
import { RoleChangeResult } from '../role-change-result';
import { DefineRole } from './define-role.command';

@CommandHandler(DefineRole)
export class DefineRoleHandler implements ICommandHandler<DefineRole, RoleChangeResult> {
  constructor(private readonly roles: RoleCommandRunner) {}

  async execute({ principal, name, permissions, description }: DefineRole): Promise<RoleChangeResult> {
    const result = await this.roles.run(principal, { kind: 'define', name, permissions, description });
    return { role: roleViewOf(name, result.after, result.revision)!, changes: { before: auditedRoleOf(result.before), after: auditedRoleOf(result.after) } };
  }
}

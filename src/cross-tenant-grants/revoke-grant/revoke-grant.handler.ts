import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AuditedChanges } from '../../self-audit/self-audit.decorators';
import { GrantCommandRunner } from '../grant-command-runner';
import { auditedGrantOf } from '../grant-view';
import { RevokeGrant } from './revoke-grant.command';

@CommandHandler(RevokeGrant)
export class RevokeGrantHandler implements ICommandHandler<RevokeGrant, AuditedChanges> {
  constructor(private readonly grants: GrantCommandRunner) {}

  async execute({ principal, grantId }: RevokeGrant): Promise<AuditedChanges> {
    const result = await this.grants.run(principal, { kind: 'revoke', grantId });
    return { before: auditedGrantOf(result.before), after: auditedGrantOf(result.after) };
  }
}

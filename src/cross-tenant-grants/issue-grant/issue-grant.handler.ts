import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { GrantChangeResult } from '../grant-change-result';
import { GrantCommandRunner } from '../grant-command-runner';
import { newGrantId } from '../grant-id';
import { auditedGrantOf, grantViewOf } from '../grant-view';
import { IssueGrant } from './issue-grant.command';

@CommandHandler(IssueGrant)
export class IssueGrantHandler implements ICommandHandler<IssueGrant, GrantChangeResult> {
  constructor(private readonly grants: GrantCommandRunner) {}

  async execute({ principal, grantee, granteeTenant, permissions, expiresAt }: IssueGrant): Promise<GrantChangeResult> {
    const grantId = newGrantId();
    const now = new Date();
    const result = await this.grants.run(principal, { kind: 'issue', grantId, grantee, granteeTenant, permissions, expiresAt }, now);
    return { grant: grantViewOf(grantId, result.after, now)!, changes: { before: null, after: auditedGrantOf(result.after) } };
  }
}

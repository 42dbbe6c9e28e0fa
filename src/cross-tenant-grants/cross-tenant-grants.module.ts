import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CROSS_TENANT_ACCESS } from '../auth/cross-tenant-access';
import { ActiveGrantsLookup } from './active-grants/active-grants.lookup';
import { CrossTenantGrantsController } from './cross-tenant-grants.controller';
import { GrantCommandRunner } from './grant-command-runner';
import { IssueGrantHandler } from './issue-grant/issue-grant.handler';
import { ListGrantsHandler } from './query/list-grants.handler';
import { RevokeGrantHandler } from './revoke-grant/revoke-grant.handler';

/** /v1/cross-tenant-grants, and the grant check of the access guard for X-Tenant-Id (hence global). */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [CrossTenantGrantsController],
  providers: [
    GrantCommandRunner,
    IssueGrantHandler,
    RevokeGrantHandler,
    ListGrantsHandler,
    ActiveGrantsLookup,
    { provide: CROSS_TENANT_ACCESS, useExisting: ActiveGrantsLookup },
  ],
  exports: [CROSS_TENANT_ACCESS],
})
export class CrossTenantGrantsModule {}

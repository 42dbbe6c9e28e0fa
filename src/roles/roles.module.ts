import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TENANT_ROLE_RESOLVER } from '../auth/tenant-role-resolver';
import { ChangeRoleHandler } from './change-role/change-role.handler';
import { DefineRoleHandler } from './define-role/define-role.handler';
import { DeleteRoleHandler } from './delete-role/delete-role.handler';
import { GetRoleHandler } from './query/get-role.handler';
import { ListRolesHandler } from './query/list-roles.handler';
import { TenantRolesReader } from './query/tenant-roles.reader';
import { CustomRolePermissions } from './resolve-permissions/custom-role-permissions';
import { RoleCommandRunner } from './role-command-runner';
import { RolesController } from './roles.controller';

/** /v1/roles, and the resolution of custom roles for the access guard (hence global). */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [RolesController],
  providers: [
    RoleCommandRunner,
    DefineRoleHandler,
    ChangeRoleHandler,
    DeleteRoleHandler,
    TenantRolesReader,
    ListRolesHandler,
    GetRoleHandler,
    CustomRolePermissions,
    { provide: TENANT_ROLE_RESOLVER, useExisting: CustomRolePermissions },
  ],
  exports: [TENANT_ROLE_RESOLVER],
})
export class RolesModule {}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { TENANT_ASSIGNABLE_PERMISSIONS } from '../auth/permissions';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { ChangeRole } from './change-role/change-role.command';
import { ChangeRoleRequest } from './change-role/change-role.request.dto';
import { DefineRole } from './define-role/define-role.command';
import { DefineRoleRequest } from './define-role/define-role.request.dto';
import { DeleteRole } from './delete-role/delete-role.command';
import { GetRole } from './query/get-role.query';
import { ListRoles } from './query/list-roles.query';
import { RoleChangeResult } from './role-change-result';
import { RoleNamePipe } from './role-name.pipe';
import { ROLE_NAME_PATTERN } from './role-name';
import { TenantRoleView } from './tenant-roles.read-model';

const ROLE_SCHEMA = {
  type: 'object',
  required: ['name', 'permissions', 'description', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'revision'],
  properties: {
    name: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string', enum: [...TENANT_ASSIGNABLE_PERMISSIONS] } },
    description: { type: 'string', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
    revision: { type: 'integer', description: 'Revision of the role stream' },
  },
};

/**
 * Custom roles of the caller's tenant, built from granular permissions (ARCHITECTURE §6). Tokens
 * name them in `roles` like built-in roles. Every change is event-sourced and recorded in the
 * tenant's audit log with its before/after.
 */
@ApiTags('roles')
@ApiBearerAuth()
@Controller('v1/roles')
export class RolesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('roles:manage')
  @SelfAudited({ action: 'role.create', kind: 'mutation', resource: { type: 'role', body: 'name' } })
  @ApiOperation({ summary: 'Define a custom role (409 if the name is taken or built in; 422 for unknown permissions)' })
  @ApiCreatedResponse({ schema: ROLE_SCHEMA })
  @ProblemResponses(400, 401, 403, 409, 422)
  async create(
    @Body() body: DefineRoleRequest,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<TenantRoleView> {
    const result = await this.commands.execute<DefineRole, RoleChangeResult>(new DefineRole(principal, body.name, body.permissions, body.description));
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/roles/${encodeURIComponent(result.role.name)}`);
    return result.role;
  }

  @Get()
  @RequirePermission('roles:manage')
  @SelfAudited({ action: 'roles.list', kind: 'read', resource: { type: 'role' } })
  @ApiOperation({ summary: "The tenant's custom roles, by name" })
  @ApiOkResponse({ schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ROLE_SCHEMA } } } })
  @ProblemResponses(401, 403)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: TenantRoleView[] }> {
    return this.queries.execute(new ListRoles(principal));
  }

  @Get(':name')
  @RequirePermission('roles:manage')
  @SelfAudited({ action: 'roles.view', kind: 'read', resource: { type: 'role', param: 'name' } })
  @ApiOperation({ summary: 'One custom role' })
  @ApiParam({ name: 'name', schema: { type: 'string', pattern: ROLE_NAME_PATTERN.source } })
  @ApiOkResponse({ schema: ROLE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  get(@Param('name', RoleNamePipe) name: string, @CurrentPrincipal() principal: Principal): Promise<TenantRoleView> {
    return this.queries.execute(new GetRole(principal, name));
  }

  @Put(':name')
  @RequirePermission('roles:manage')
  @SelfAudited({ action: 'role.update', kind: 'mutation', resource: { type: 'role', param: 'name' } })
  @ApiOperation({ summary: "Replace a custom role's permissions (and description, if given)" })
  @ApiParam({ name: 'name', schema: { type: 'string', pattern: ROLE_NAME_PATTERN.source } })
  @ApiOkResponse({ schema: ROLE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409, 422)
  async update(
    @Param('name', RoleNamePipe) name: string,
    @Body() body: ChangeRoleRequest,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
  ): Promise<TenantRoleView> {
    const result = await this.commands.execute<ChangeRole, RoleChangeResult>(new ChangeRole(principal, name, body.permissions, body.description));
    recordChanges(result.changes);
    return result.role;
  }

  @Delete(':name')
  @HttpCode(204)
  @RequirePermission('roles:manage')
  @SelfAudited({ action: 'role.delete', kind: 'mutation', resource: { type: 'role', param: 'name' } })
  @ApiOperation({ summary: 'Delete a custom role: it grants nothing from the moment this answers' })
  @ApiParam({ name: 'name', schema: { type: 'string', pattern: ROLE_NAME_PATTERN.source } })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(400, 401, 403, 404, 409)
  async remove(@Param('name', RoleNamePipe) name: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<void> {
    recordChanges(await this.commands.execute(new DeleteRole(principal, name)));
  }
}

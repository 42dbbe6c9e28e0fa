import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { CROSS_TENANT_GRANTABLE_PERMISSIONS } from '../auth/permissions';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { CrossTenantGrantView } from './cross-tenant-grants.read-model';
import { GrantChangeResult } from './grant-change-result';
import { GRANT_ID_PATTERN } from './grant-id';
import { GrantIdPipe } from './grant-id.pipe';
import { IssueGrant } from './issue-grant/issue-grant.command';
import { IssueGrantRequest } from './issue-grant/issue-grant.request.dto';
import { ListGrants } from './query/list-grants.query';
import { RevokeGrant } from './revoke-grant/revoke-grant.command';

const GRANT_SCHEMA = {
  type: 'object',
  required: ['id', 'grantee', 'permissions', 'expiresAt', 'issuedAt', 'issuedBy', 'status'],
  properties: {
    id: { type: 'string', pattern: GRANT_ID_PATTERN.source },
    grantee: { type: 'string' },
    granteeTenant: { type: 'string', nullable: true, description: 'null: issued before grants named the home tenant (status unbound)' },
    permissions: { type: 'array', items: { type: 'string', enum: [...CROSS_TENANT_GRANTABLE_PERMISSIONS] } },
    expiresAt: { type: 'string', format: 'date-time' },
    issuedAt: { type: 'string', format: 'date-time' },
    issuedBy: { type: 'string' },
    status: { type: 'string', enum: ['active', 'expired', 'revoked', 'unbound'] },
    revokedAt: { type: 'string', format: 'date-time' },
    revokedBy: { type: 'string' },
  },
};

/**
 * A tenant's grants of read access to named platform administrators, who then send
 * `X-Tenant-Id: <this tenant>`; each of their requests is recorded in this tenant's audit log.
 */
@ApiTags('cross-tenant grants')
@ApiBearerAuth()
@Controller('v1/cross-tenant-grants')
export class CrossTenantGrantsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('grants:manage')
  @SelfAudited({ action: 'cross_tenant_grant.create', kind: 'mutation', resource: { type: 'cross_tenant_grant', result: 'id' } })
  @ApiOperation({ summary: 'Grant a platform administrator (grantee = their token sub, granteeTenant = their token tenant) read access to this tenant until expiresAt (≤ 90 days)' })
  @ApiCreatedResponse({ schema: GRANT_SCHEMA })
  @ProblemResponses(400, 401, 403, 422)
  async create(
    @Body() body: IssueGrantRequest,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<CrossTenantGrantView> {
    const result = await this.commands.execute<IssueGrant, GrantChangeResult>(new IssueGrant(principal, body.grantee, body.granteeTenant, body.permissions, body.expiresAt));
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/cross-tenant-grants/${result.grant.id}`);
    return result.grant;
  }

  @Get()
  @RequirePermission('grants:manage')
  @SelfAudited({ action: 'cross_tenant_grants.list', kind: 'read', resource: { type: 'cross_tenant_grant' } })
  @ApiOperation({ summary: "This tenant's grants, newest first, each with its status now (active, expired, revoked)" })
  @ApiOkResponse({ schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: GRANT_SCHEMA } } } })
  @ProblemResponses(401, 403)
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: CrossTenantGrantView[] }> {
    return this.queries.execute(new ListGrants(principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('grants:manage')
  @SelfAudited({ action: 'cross_tenant_grant.revoke', kind: 'mutation', resource: { type: 'cross_tenant_grant', param: 'id' } })
  @ApiOperation({ summary: 'Revoke a grant: refused from the next request on (revoking a revoked grant changes nothing)' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: GRANT_ID_PATTERN.source } })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ProblemResponses(400, 401, 403, 404, 409)
  async revoke(@Param('id', GrantIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<void> {
    recordChanges(await this.commands.execute(new RevokeGrant(principal, id)));
  }
}

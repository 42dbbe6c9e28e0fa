import { BadRequestException, Body, Controller, Get, Headers, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IsInt, Max, Min } from 'class-validator';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { TENANT_HEADER } from '../auth/effective-principal';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, RetentionPolicyView } from './retention-policy';
import { RetentionPolicyService } from './retention-policy.service';

class UpdateRetentionPolicyRequest {
  @ApiProperty({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS, example: DEFAULT_RETENTION_DAYS, description: 'Events recorded more than this many days ago are expired by the daily retention job' })
  @IsInt({ message: 'retentionDays must be an integer number of days' })
  @Min(MIN_RETENTION_DAYS, { message: `retentionDays must be at least ${MIN_RETENTION_DAYS} (one year)` })
  @Max(MAX_RETENTION_DAYS, { message: `retentionDays must be at most ${MAX_RETENTION_DAYS} (30 years)` })
  retentionDays!: number;
}

const LAST_EXPIRY_SCHEMA: SchemaObject = {
  type: 'object',
  nullable: true,
  properties: {
    fromSequence: { type: 'integer' },
    toSequence: { type: 'integer' },
    count: { type: 'integer' },
    lastExpiredHash: { type: 'string' },
    cutoff: { type: 'string', format: 'date-time' },
    retentionDays: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
  },
};

const POLICY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['tenantId', 'retentionDays', 'isDefault', 'defaultDays', 'minimumDays', 'maximumDays', 'expiredBefore'],
  properties: {
    tenantId: { type: 'string' },
    retentionDays: { type: 'integer' },
    isDefault: { type: 'boolean', description: 'True until the policy was changed once' },
    defaultDays: { type: 'integer', example: DEFAULT_RETENTION_DAYS },
    minimumDays: { type: 'integer', example: MIN_RETENTION_DAYS },
    maximumDays: { type: 'integer', example: MAX_RETENTION_DAYS },
    updatedAt: { type: 'string', format: 'date-time', nullable: true },
    updatedBy: { type: 'string', nullable: true },
    expiredBefore: { type: 'integer', description: 'Sequences of the log below this were expired by the policy' },
    lastExpiry: LAST_EXPIRY_SCHEMA,
  },
};

/**
 * The tenant's retention policy (ARCHITECTURE §11, ADR 025). Reading it is tenant business
 * (`retention:read`); changing it is platform account administration: only a `platform_operator`
 * (`retention:manage`), naming the tenant in X-Tenant-Id. Every change is recorded in the tenant's
 * log as `retention.update`.
 */
@ApiTags('retention')
@ApiBearerAuth()
@Controller('v1/retention-policy')
export class RetentionPolicyController {
  constructor(private readonly policies: RetentionPolicyService) {}

  @Get()
  @RequirePermission('retention:read', 'retention:manage')
  @SelfAudited({ action: 'retention_policy.view', kind: 'read', resource: { type: 'retention_policy' } })
  @ApiOperation({ summary: "The tenant's retention policy and the last expiry (a platform operator names the tenant in X-Tenant-Id)" })
  @ApiHeader({ name: 'X-Tenant-Id', required: false, description: 'platform_operator only: the tenant whose policy to read' })
  @ApiOkResponse({ schema: POLICY_SCHEMA })
  @ProblemResponses(400, 401, 403)
  async get(@CurrentPrincipal() principal: Principal): Promise<RetentionPolicyView> {
    if (principal.platformOperator) await this.policies.assertTenantHasLog(principal.tenantId);
    return this.policies.get(principal.tenantId);
  }

  @Put()
  @RequirePermission('retention:manage')
  @SelfAudited({ action: 'retention.update', kind: 'mutation', resource: { type: 'retention_policy' } })
  @ApiOperation({ summary: "Change a tenant's retention policy (platform_operator only, naming the tenant in X-Tenant-Id); applies from the next daily expiry" })
  @ApiHeader({ name: 'X-Tenant-Id', required: true, description: 'The tenant whose policy to change' })
  @ApiOkResponse({ schema: POLICY_SCHEMA })
  @ProblemResponses(400, 401, 403, 409)
  async update(
    @Body() body: UpdateRetentionPolicyRequest,
    @Headers(TENANT_HEADER) tenantHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
  ): Promise<RetentionPolicyView> {
    if (!tenantHeader) throw new BadRequestException('X-Tenant-Id is required: name the tenant whose retention policy to change');
    await this.policies.assertTenantHasLog(principal.tenantId);
    const result = await this.policies.set(principal, body.retentionDays);
    if (result.changes) recordChanges(result.changes);
    return result.policy;
  }
}

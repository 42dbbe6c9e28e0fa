import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Permission } from '../auth/permissions';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { TenantSettings } from './tenant-settings';
import { TenantSettingsService } from './tenant-settings.service';

/**
 * "Any role of the tenant with a compliance permission" (ARCHITECTURE §8): every permission but
 * ingestion (`audit:write*`) and a standard user's own-records read (`audit:read:own`).
 */
export const COMPLIANCE_PERMISSIONS = [
  'audit:read',
  'audit:export',
  'audit:verify',
  'reports:read',
  'reports:generate',
  'reports:schedule',
  'rules:read',
  'rules:write',
  'alerts:read',
  'alerts:triage',
  'alerts:config:read',
  'alerts:config:write',
  'roles:manage',
  'retention:read',
  'grants:manage',
] as const satisfies readonly Permission[];

const SETTINGS_SCHEMA = {
  type: 'object',
  required: ['timezone', 'version', 'updatedAt', 'updatedBy'],
  properties: {
    timezone: { type: 'string', description: 'IANA timezone; `UTC` until set', example: 'Europe/Berlin' },
    version: { type: 'integer', description: '0 while never changed; every change adds one' },
    updatedAt: { type: 'string', format: 'date-time', nullable: true },
    updatedBy: { type: 'string', nullable: true, description: 'token `sub` of the last change' },
  },
};

/** Settings of the caller's tenant (ARCHITECTURE §8), used by `outside_hours` rules and reports. */
@ApiTags('tenant-settings')
@ApiBearerAuth()
@Controller('v1/tenant-settings')
export class TenantSettingsController {
  constructor(private readonly settings: TenantSettingsService) {}

  @Get()
  @RequirePermission(...COMPLIANCE_PERMISSIONS)
  @SelfAudited({ action: 'tenant_settings.view', kind: 'read', resource: { type: 'tenant_settings' } })
  @ApiOperation({ summary: "Your tenant's settings: its timezone (UTC until set)" })
  @ApiOkResponse({ schema: SETTINGS_SCHEMA })
  @ProblemResponses(401, 403)
  get(@CurrentPrincipal() principal: Principal): Promise<TenantSettings> {
    return this.settings.get(principal.tenantId);
  }

  @Put()
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'tenant_settings.update', kind: 'mutation', resource: { type: 'tenant_settings' } })
  @ApiOperation({ summary: "Set your tenant's timezone (IANA, e.g. Europe/Berlin); a change of nothing writes nothing" })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['timezone'],
      additionalProperties: false,
      properties: { timezone: { type: 'string', example: 'Europe/Berlin' } },
    },
  })
  @ApiOkResponse({ schema: SETTINGS_SCHEMA })
  @ProblemResponses(400, 401, 403, 409)
  async update(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<TenantSettings> {
    const result = await this.settings.update(principal, body);
    recordChanges(result.changes);
    return result.settings;
  }
}

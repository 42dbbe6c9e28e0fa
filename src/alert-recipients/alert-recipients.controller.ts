import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/access.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ProblemResponses } from '../http/problem-responses.decorator';
import { SEVERITIES } from '../monitoring/rules/monitoring-rule';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../self-audit/self-audit.decorators';
import { AlertRecipients } from './alert-recipients';
import { AlertRecipientsService } from './alert-recipients.service';

const VALUES = {
  userIds: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 256 }, description: 'token `sub`s notified by name' },
  roles: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 128 }, description: 'every user whose token carries one of these roles is notified' },
  minSeverity: { type: 'string', enum: [...SEVERITIES], description: 'alerts below this severity notify nobody (rules with their own recipients excepted)' },
};

const RECIPIENTS_SCHEMA = {
  type: 'object',
  required: ['userIds', 'roles', 'minSeverity', 'version', 'updatedAt', 'updatedBy'],
  properties: {
    ...VALUES,
    version: { type: 'integer', description: '0 while never changed (the default); every change adds one' },
    updatedAt: { type: 'string', format: 'date-time', nullable: true },
    updatedBy: { type: 'string', nullable: true },
  },
};

/** Who is notified of the tenant's alerts (ARCHITECTURE §8). */
@ApiTags('alert-recipients')
@ApiBearerAuth()
@Controller('v1/alert-recipients')
export class AlertRecipientsController {
  constructor(private readonly recipients: AlertRecipientsService) {}

  @Get()
  @RequirePermission('alerts:config:read')
  @SelfAudited({ action: 'alert_recipients.view', kind: 'read', resource: { type: 'alert_recipients' } })
  @ApiOperation({ summary: "Your tenant's alert recipients (default: compliance officers and super admins, from low)" })
  @ApiOkResponse({ schema: RECIPIENTS_SCHEMA })
  @ProblemResponses(401, 403)
  get(@CurrentPrincipal() principal: Principal): Promise<AlertRecipients> {
    return this.recipients.get(principal.tenantId);
  }

  @Put()
  @RequirePermission('alerts:config:write')
  @SelfAudited({ action: 'alert_recipients.update', kind: 'mutation', resource: { type: 'alert_recipients' } })
  @ApiOperation({ summary: "Replace your tenant's alert recipients; applies to alerts raised after the change" })
  @ApiBody({ schema: { type: 'object', required: ['userIds', 'roles', 'minSeverity'], additionalProperties: false, properties: VALUES } })
  @ApiOkResponse({ schema: RECIPIENTS_SCHEMA })
  @ProblemResponses(400, 401, 403, 409)
  async replace(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<AlertRecipients> {
    const result = await this.recipients.replace(principal, body);
    recordChanges(result.changes);
    return result.recipients;
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../../self-audit/self-audit.decorators';
import { SEVERITIES } from '../rules/monitoring-rule';
import { ALERT_STATUSES, AlertView } from './alert';
import { TriageAction } from './alert-triage';
import { AlertIdPipe } from './alert-id.pipe';
import { AlertsService } from './alerts.service';
import { ListAlertsParams, TriageRequest } from './list-alerts.params';

const ALERT_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Deterministic from tenant, rule, group and window' },
    ruleId: { type: 'string' },
    ruleVersion: { type: 'integer' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    title: { type: 'string' },
    status: { type: 'string', enum: [...ALERT_STATUSES] },
    groupKey: { type: 'object', additionalProperties: { type: 'string' }, description: 'e.g. {"actor.id": "bob"}; {} when the rule does not group' },
    firstEventAt: { type: 'string', format: 'date-time' },
    lastEventAt: { type: 'string', format: 'date-time' },
    eventCount: { type: 'integer' },
    recordCount: { type: 'integer', description: 'Sum of the events\' record counts (metadata.recordCount or 1)' },
    eventIds: { type: 'array', items: { type: 'string' }, description: 'The first 100, in sequence order' },
    auditLogLink: { type: 'string', description: '/v1/audit-events?alertId=…: lists exactly the alert\'s events (all of them, newest first)' },
    raisedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    history: {
      type: 'array',
      items: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, by: { type: 'string' }, status: { type: 'string', enum: [...ALERT_STATUSES] }, note: { type: 'string' } } },
    },
  },
};
const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } } as const;

/** Alerts raised by the monitoring rules in the caller's tenant, and their triage (ARCHITECTURE §7). */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequirePermission('alerts:read')
  @SelfAudited({ action: 'alerts.list', kind: 'read', resource: { type: 'alert' } })
  @ApiOperation({ summary: 'Alerts, newest first, with filters and a cursor' })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: ALERT_SCHEMA }, nextCursor: { type: 'string', nullable: true } } } })
  @ProblemResponses(400, 401, 403)
  list(@Query() params: ListAlertsParams, @CurrentPrincipal() principal: Principal): Promise<{ items: AlertView[]; nextCursor: string | null }> {
    return this.alerts.list(principal, params);
  }

  @Get(':id')
  @RequirePermission('alerts:read')
  @SelfAudited({ action: 'alerts.view', kind: 'read', resource: { type: 'alert', param: 'id' } })
  @ApiOperation({ summary: 'One alert' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: ALERT_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  get(@Param('id', AlertIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<AlertView> {
    return this.alerts.get(principal, id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequirePermission('alerts:triage')
  @SelfAudited({ action: 'alert.acknowledge', kind: 'mutation', resource: { type: 'alert', param: 'id' } })
  @ApiOperation({ summary: 'Acknowledge an open alert' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: ALERT_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  acknowledge(@Param('id', AlertIdPipe) id: string, @Body() body: TriageRequest, @CurrentPrincipal() principal: Principal, @RecordChanges() record: ChangesRecorder): Promise<AlertView> {
    return this.triage(principal, id, 'acknowledge', body, record);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequirePermission('alerts:triage')
  @SelfAudited({ action: 'alert.resolve', kind: 'mutation', resource: { type: 'alert', param: 'id' } })
  @ApiOperation({ summary: 'Resolve an open or acknowledged alert (final)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: ALERT_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  resolve(@Param('id', AlertIdPipe) id: string, @Body() body: TriageRequest, @CurrentPrincipal() principal: Principal, @RecordChanges() record: ChangesRecorder): Promise<AlertView> {
    return this.triage(principal, id, 'resolve', body, record);
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  @RequirePermission('alerts:triage')
  @SelfAudited({ action: 'alert.dismiss', kind: 'mutation', resource: { type: 'alert', param: 'id' } })
  @ApiOperation({ summary: 'Dismiss an open or acknowledged alert as not a concern (final)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: ALERT_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  dismiss(@Param('id', AlertIdPipe) id: string, @Body() body: TriageRequest, @CurrentPrincipal() principal: Principal, @RecordChanges() record: ChangesRecorder): Promise<AlertView> {
    return this.triage(principal, id, 'dismiss', body, record);
  }

  private async triage(principal: Principal, id: string, action: TriageAction, body: TriageRequest, record: ChangesRecorder): Promise<AlertView> {
    const result = await this.alerts.triage(principal, id, action, body?.note);
    record({ before: { status: result.before }, after: { status: result.after, ...(body?.note !== undefined ? { note: body.note } : {}) } });
    return result.alert;
  }
}

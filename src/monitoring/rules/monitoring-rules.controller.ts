import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../../self-audit/self-audit.decorators';
import { MonitoringRule, RULE_ID_PATTERN } from './monitoring-rule';
import { BACKTEST_REQUEST_SCHEMA, BACKTEST_RESULT_SCHEMA, CREATE_RULE_SCHEMA, RULE_SCHEMA, UPDATE_RULE_SCHEMA } from './monitoring-rule.schema';
import { MonitoringRulesService } from './monitoring-rules.service';
import { RuleIdPipe } from './rule-id.pipe';

const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: RULE_ID_PATTERN.source } } as const;

/**
 * Monitoring rules of the caller's tenant (ARCHITECTURE §7). Every change is event-sourced on
 * `rule-<tenant>-<id>` and recorded in the tenant's audit log as `monitoring_rule.*`, which the
 * built-in `security-config-change` rule watches. Reads are recorded as `monitoring_rules.*`,
 * outside that rule's scope.
 */
@ApiTags('monitoring-rules')
@ApiBearerAuth()
@Controller('v1/monitoring-rules')
export class MonitoringRulesController {
  constructor(private readonly rules: MonitoringRulesService) {}

  @Get()
  @RequirePermission('rules:read')
  @SelfAudited({ action: 'monitoring_rules.list', kind: 'read', resource: { type: 'monitoring_rule' } })
  @ApiOperation({ summary: 'The four built-in rules (as edited) and the custom rules of your tenant' })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: RULE_SCHEMA } } } })
  @ProblemResponses(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: MonitoringRule[] }> {
    return { items: await this.rules.list(principal) };
  }

  @Post('backtest')
  @HttpCode(200)
  @RequirePermission('rules:read')
  @SelfAudited({ action: 'monitoring_rules.backtest', kind: 'read', resource: { type: 'monitoring_rule', body: 'ruleId' } })
  @ApiOperation({ summary: 'Run a saved ({ruleId}) or draft ({rule}) rule over past events (occurredAt in [from, to)) with the live evaluation; raises nothing' })
  @ApiBody({ schema: BACKTEST_REQUEST_SCHEMA })
  @ApiOkResponse({ schema: BACKTEST_RESULT_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  backtest(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.rules.backtest(principal, body);
  }

  @Get(':id')
  @RequirePermission('rules:read')
  @SelfAudited({ action: 'monitoring_rules.view', kind: 'read', resource: { type: 'monitoring_rule', param: 'id' } })
  @ApiOperation({ summary: 'One rule' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: RULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  get(@Param('id', RuleIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<MonitoringRule> {
    return this.rules.get(principal, id);
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('rules:write')
  @SelfAudited({ action: 'monitoring_rule.create', kind: 'mutation', resource: { type: 'monitoring_rule', body: 'id' } })
  @ApiOperation({ summary: 'Create a custom rule (409 if the id is taken or built in)' })
  @ApiBody({ schema: CREATE_RULE_SCHEMA })
  @ApiCreatedResponse({ schema: RULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 409)
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<MonitoringRule> {
    const result = await this.rules.change(principal, null, { kind: 'create', body });
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/monitoring-rules/${result.rule!.id}`);
    return result.rule!;
  }

  @Put(':id')
  @RequirePermission('rules:write')
  @SelfAudited({ action: 'monitoring_rule.update', kind: 'mutation', resource: { type: 'monitoring_rule', param: 'id' } })
  @ApiOperation({ summary: 'Edit a rule (thresholds, scope, severity, suppression, recipients); bumps its version; applies to events after the change' })
  @ApiParam(ID_PARAM)
  @ApiBody({ schema: UPDATE_RULE_SCHEMA })
  @ApiOkResponse({ schema: RULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  async update(@Param('id', RuleIdPipe) id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<MonitoringRule> {
    const result = await this.rules.change(principal, id, { kind: 'update', body });
    recordChanges(result.changes);
    return result.rule!;
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermission('rules:write')
  @SelfAudited({ action: 'monitoring_rule.enable', kind: 'mutation', resource: { type: 'monitoring_rule', param: 'id' } })
  @ApiOperation({ summary: 'Enable a rule (no change if it is enabled)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: RULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  async enable(@Param('id', RuleIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<MonitoringRule> {
    const result = await this.rules.change(principal, id, { kind: 'enable' });
    recordChanges(result.changes);
    return result.rule!;
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission('rules:write')
  @SelfAudited({ action: 'monitoring_rule.disable', kind: 'mutation', resource: { type: 'monitoring_rule', param: 'id' } })
  @ApiOperation({ summary: 'Disable a rule (no change if it is disabled)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: RULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409)
  async disable(@Param('id', RuleIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<MonitoringRule> {
    const result = await this.rules.change(principal, id, { kind: 'disable' });
    recordChanges(result.changes);
    return result.rule!;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('rules:write')
  @SelfAudited({ action: 'monitoring_rule.delete', kind: 'mutation', resource: { type: 'monitoring_rule', param: 'id' } })
  @ApiOperation({ summary: 'Delete a custom rule (built-in rules: 409, disable them instead)' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(400, 401, 403, 404, 409)
  async remove(@Param('id', RuleIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<void> {
    recordChanges((await this.rules.change(principal, id, { kind: 'delete' })).changes);
  }
}

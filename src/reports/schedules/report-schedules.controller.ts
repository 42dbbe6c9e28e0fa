import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../../self-audit/self-audit.decorators';
import { SCHEDULE_ID_PATTERN } from './report-schedule';
import { RUN_NOW_SCHEMA, SCHEDULE_DEFINITION_SCHEMA, SCHEDULE_SCHEMA } from './report-schedule.schema';
import { ReportScheduleView, ReportSchedulesService, RunNowResult } from './report-schedules.service';
import { ScheduleIdPipe } from './schedule-id.pipe';

const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: SCHEDULE_ID_PATTERN.source } } as const;

/**
 * Report schedules of the caller's tenant (ARCHITECTURE §10), permission `reports:schedule`. Changes are
 * event-sourced on `schedule-<tenant>-<id>` and recorded in the tenant's audit log as `report_schedule.*`;
 * reads as `report_schedules.*`.
 */
@ApiTags('report-schedules')
@ApiBearerAuth()
@Controller('v1/report-schedules')
export class ReportSchedulesController {
  constructor(private readonly schedules: ReportSchedulesService) {}

  @Get()
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedules.list', kind: 'read', resource: { type: 'report_schedule' } })
  @ApiOperation({ summary: 'The report schedules of your tenant, oldest first, with their next run and last run' })
  @ApiOkResponse({ schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: SCHEDULE_SCHEMA } } } })
  @ProblemResponses(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ReportScheduleView[] }> {
    return { items: await this.schedules.list(principal) };
  }

  @Get(':id')
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedules.view', kind: 'read', resource: { type: 'report_schedule', param: 'id' } })
  @ApiOperation({ summary: 'One report schedule' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: SCHEDULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  get(@Param('id', ScheduleIdPipe) id: string, @CurrentPrincipal() principal: Principal): Promise<ReportScheduleView> {
    return this.schedules.get(principal, id);
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedule.create', kind: 'mutation', resource: { type: 'report_schedule', result: 'id' } })
  @ApiOperation({ summary: 'Schedule a report: daily, weekly or monthly at a local time in an IANA time zone; each period is generated once' })
  @ApiBody({ schema: SCHEDULE_DEFINITION_SCHEMA })
  @ApiCreatedResponse({ schema: SCHEDULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 422)
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<ReportScheduleView> {
    const result = await this.schedules.create(principal, body);
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/report-schedules/${result.schedule!.id}`);
    return result.schedule!;
  }

  @Put(':id')
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedule.update', kind: 'mutation', resource: { type: 'report_schedule', param: 'id' } })
  @ApiOperation({ summary: 'Replace a schedule’s definition (the whole body, as for POST); a change of its timing applies to runs after the change' })
  @ApiParam(ID_PARAM)
  @ApiBody({ schema: SCHEDULE_DEFINITION_SCHEMA })
  @ApiOkResponse({ schema: SCHEDULE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409, 422)
  async replace(@Param('id', ScheduleIdPipe) id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<ReportScheduleView> {
    const result = await this.schedules.replace(principal, id, body);
    recordChanges(result.changes);
    return result.schedule!;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedule.delete', kind: 'mutation', resource: { type: 'report_schedule', param: 'id' } })
  @ApiOperation({ summary: 'Delete a schedule (its reports stay)' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ProblemResponses(400, 401, 403, 404, 409)
  async remove(@Param('id', ScheduleIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<void> {
    recordChanges((await this.schedules.remove(principal, id)).changes);
  }

  @Post(':id/run')
  @HttpCode(202)
  @RequirePermission('reports:schedule')
  @SelfAudited({ action: 'report_schedule.run', kind: 'mutation', resource: { type: 'report_schedule', param: 'id' } })
  @ApiOperation({ summary: 'Generate now the last complete period (as of now, in the schedule’s time zone), with the schedule’s delivery; asking again for the same period returns the same report' })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({ schema: RUN_NOW_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409, 503)
  async run(@Param('id', ScheduleIdPipe) id: string, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<RunNowResult> {
    const { changes, ...result } = await this.schedules.runNow(principal, id);
    recordChanges(changes);
    return result;
  }
}

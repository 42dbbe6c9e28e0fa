import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ChangesRecorder, RecordChanges, SelfAudited } from '../../self-audit/self-audit.decorators';
import { ReportTemplatesService, ReportTemplateView } from '../templates/report-templates.service';
import { TEMPLATE_BODY_SCHEMA, TEMPLATE_SCHEMA } from './report-schemas';

const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } } as const;

export class TemplateVersionParams {
  @ApiPropertyOptional({ minimum: 1, description: 'Default: the latest version' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

/**
 * Report templates (ARCHITECTURE §10): the six built-in SOX and GDPR templates, the HIPAA and PCI DSS
 * examples, and the tenant's configurable templates. Changes are versioned and recorded in the
 * tenant's audit log as `report_template.*`.
 */
@ApiTags('report-templates')
@ApiBearerAuth()
@Controller('v1/report-templates')
export class ReportTemplatesController {
  constructor(private readonly templates: ReportTemplatesService) {}

  @Get()
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'report_templates.list', kind: 'read', resource: { type: 'report_template' } })
  @ApiOperation({ summary: 'Every template your tenant can generate (latest versions)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: TEMPLATE_SCHEMA } } } })
  @ProblemResponses(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: ReportTemplateView[] }> {
    return { items: await this.templates.list(principal.tenantId) };
  }

  @Get(':id')
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'report_template.view', kind: 'read', resource: { type: 'report_template', param: 'id' } })
  @ApiOperation({ summary: 'One template, at its latest or a given version' })
  @ApiParam(ID_PARAM)
  @ApiQuery({ name: 'version', required: false, schema: { type: 'integer', minimum: 1 } })
  @ApiOkResponse({ schema: TEMPLATE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404)
  view(@Param('id') id: string, @Query() params: TemplateVersionParams, @CurrentPrincipal() principal: Principal): Promise<ReportTemplateView> {
    return this.templates.view(principal.tenantId, id, params.version);
  }

  @Post()
  @HttpCode(201)
  @RequirePermission('reports:manage')
  @SelfAudited({ action: 'report_template.create', kind: 'mutation', resource: { type: 'report_template', body: 'id' } })
  @ApiOperation({ summary: 'Create a configurable template (version 1); 409 if the id exists or is built in' })
  @ApiBody({ schema: TEMPLATE_BODY_SCHEMA })
  @ApiCreatedResponse({ schema: TEMPLATE_SCHEMA })
  @ProblemResponses(400, 401, 403, 409, 422)
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<ReportTemplateView> {
    const id = typeof body?.id === 'string' ? body.id : '';
    const result = await this.templates.save(principal, 'create', id, body);
    recordChanges(result.changes);
    res.setHeader('Location', `/v1/report-templates/${id}`);
    return result.template;
  }

  @Put(':id')
  @RequirePermission('reports:manage')
  @SelfAudited({ action: 'report_template.update', kind: 'mutation', resource: { type: 'report_template', param: 'id' } })
  @ApiOperation({ summary: 'Add a version of a configurable template (also adapts the HIPAA and PCI DSS examples for your tenant); reports keep the version they used' })
  @ApiParam(ID_PARAM)
  @ApiBody({ schema: TEMPLATE_BODY_SCHEMA })
  @ApiOkResponse({ schema: TEMPLATE_SCHEMA })
  @ProblemResponses(400, 401, 403, 404, 409, 422)
  async update(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @RecordChanges() recordChanges: ChangesRecorder): Promise<ReportTemplateView> {
    const result = await this.templates.save(principal, 'update', id, body);
    recordChanges(result.changes);
    return result.template;
  }
}

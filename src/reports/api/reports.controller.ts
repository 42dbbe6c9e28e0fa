import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ReadLimited } from '../../read-limits/read-limited';
import { AccessRecorder, ChangesRecorder, RecordChanges, SelfAudited, StartAudited } from '../../self-audit/self-audit.decorators';
import { ReportStatus } from '../report-requests.port';
import { ReportsService, ReportVerification, ReportView } from '../reports.service';
import { REPORT_REQUEST_SCHEMA, REPORT_SCHEMA, VERIFY_SCHEMA } from './report-schemas';

const REPORT_STATUSES: ReportStatus[] = ['queued', 'running', 'ready', 'failed'];
const ID_PARAM = { name: 'id', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } } as const;

export class ListReportsParams {
  @ApiPropertyOptional({ enum: REPORT_STATUSES })
  @IsOptional()
  @IsIn(REPORT_STATUSES)
  status?: ReportStatus;

  @ApiPropertyOptional({ pattern: '^[a-z0-9-]{1,64}$' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'templateId must be 1-64 of a-z 0-9 -' })
  templateId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;
}

interface FileResponse {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  on(event: 'close', listener: () => void): void;
  destroy(): void;
}

/**
 * Compliance reports of the caller's tenant (ARCHITECTURE §10): requested here, generated in the
 * background (queued → running → ready | failed), then downloaded and verified.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('reports:generate')
  @SelfAudited({ action: 'report.generate', kind: 'mutation', resource: { type: 'report', result: 'id' } })
  @ApiOperation({
    summary: 'Request a report of a template over a period (from ≤ occurredAt < to); generated in the background',
    description: 'The report reads the tenant\'s events up to the head at the time of the request, so generating again over the same period and head gives the same figures and the same CSV bytes. Poll GET /v1/reports/{id} until status is ready (or failed).',
  })
  @ApiBody({ schema: REPORT_REQUEST_SCHEMA })
  @ApiAcceptedResponse({ schema: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string', enum: REPORT_STATUSES } } } })
  @ProblemResponses(400, 401, 403, 404, 422, 503)
  async request(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @RecordChanges() recordChanges: ChangesRecorder,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ): Promise<{ id: string; status: ReportStatus }> {
    const { id, status } = await this.reports.requestFromApi(principal.tenantId, principal.subject, body);
    recordChanges({ before: null, after: { id, ...body } });
    res.setHeader('Location', `/v1/reports/${id}`);
    return { id, status };
  }

  @Get()
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'reports.list', kind: 'read', resource: { type: 'report' } })
  @ApiOperation({ summary: 'Reports of your tenant, newest first' })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: REPORT_SCHEMA }, nextCursor: { type: 'string', nullable: true } } } })
  @ProblemResponses(400, 401, 403)
  list(@Query() params: ListReportsParams, @CurrentPrincipal() principal: Principal): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    return this.reports.list(principal.tenantId, params);
  }

  @Get(':id')
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'report.view', kind: 'read', resource: { type: 'report', param: 'id' } })
  @ApiOperation({ summary: 'One report: template and version, period, format, status, requestedBy, timestamps, summary figures and evidence' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: REPORT_SCHEMA })
  @ProblemResponses(401, 403, 404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ReportView> {
    return this.reports.get(principal.tenantId, id);
  }

  @Get(':id/download')
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'report.download', kind: 'stream', resource: { type: 'report', param: 'id' } })
  @ReadLimited('bulk')
  @ApiOperation({ summary: 'The report file (text/csv or application/pdf) as an attachment; X-Report-Sha256 carries its SHA-256' })
  @ApiParam(ID_PARAM)
  @ApiProduces('text/csv', 'application/pdf')
  @ApiOkResponse({ description: 'The file' })
  @ProblemResponses(401, 403, 404, 409, 429)
  async download(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @StartAudited() recordAccess: AccessRecorder, @Res() res: FileResponse & NodeJS.WritableStream): Promise<void> {
    const { doc, content } = await this.reports.file(principal.tenantId, id);
    await recordAccess();
    res.status(200);
    res.setHeader('Content-Type', doc.file!.contentType);
    res.setHeader('Content-Length', String(doc.file!.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${doc.file!.filename}"`);
    res.setHeader('X-Report-Sha256', doc.evidence!.fileSha256);
    await new Promise<void>((resolve) => {
      content.once('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        content.destroy();
        resolve();
      });
      content.pipe(res);
    });
  }

  @Get(':id/verify')
  @RequirePermission('reports:read')
  @SelfAudited({ action: 'report.verify', kind: 'read', resource: { type: 'report', param: 'id' } })
  @ReadLimited('bulk')
  @ApiOperation({ summary: 'Checks the stored file against its evidence: file hash, Ed25519 signature, and that the audit chain still holds the head event' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ schema: VERIFY_SCHEMA })
  @ProblemResponses(401, 403, 404, 409, 429)
  verify(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ReportVerification> {
    return this.reports.verify(principal.tenantId, id);
  }
}

import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { once } from 'node:events';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { openApiSchema } from '../../http/openapi-schema';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { CooperativeScheduler } from '../../read-limits/cooperative-scheduler';
import { ReadLimited } from '../../read-limits/read-limited';
import { AccessRecorder, SelfAudited, StartAudited } from '../../self-audit/self-audit.decorators';
import { asStoredEvent, toStoredEvent } from '../audit-log.read-model';
import { AUDIT_EVENT_SCHEMA } from '../record-audit-events/audit-event.schema';
import { CSV_HEADER, csvRow } from './audit-event-csv';
import { AuditEventDetail, AuditEventPage, AuditLogReader } from './audit-log-reader';
import { auditLogFilter } from './audit-log.filters';
import { DetailParams, ExportParams, ListParams, StreamParams } from './audit-log-query.params';
import { GetAuditEvent, ListAuditEvents } from './list-audit-events.query';

interface StreamingResponse {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  flushHeaders(): void;
  write(chunk: string): boolean;
  writableNeedDrain: boolean;
  end(): void;
  writableEnded: boolean;
  destroyed: boolean;
  on(event: 'close', listener: () => void): void;
}

const EVENT_ITEM_SCHEMA = openApiSchema({
  ...AUDIT_EVENT_SCHEMA,
  required: [...AUDIT_EVENT_SCHEMA.required, 'id', 'tenantId', 'sequence', 'recordedAt', 'prevHash', 'hash'],
  properties: {
    ...AUDIT_EVENT_SCHEMA.properties,
    sequence: { type: 'integer' },
    recordedAt: { type: 'string', format: 'date-time' },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
});

const SSE_HEARTBEAT_MS = 15_000;
/** Sequences examined per query of the live tail, however few of them match its filter. */
const SSE_WINDOW = 500;

@ApiTags('audit events')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Audit-Channel', required: false, description: 'ui | api | workflow (default api): how this access is recorded' })
@Controller('v1/audit-events')
export class AuditLogQueryController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reader: AuditLogReader,
    private readonly scheduler: CooperativeScheduler,
  ) {}

  @Get()
  @RequirePermission('audit:read', 'audit:read:own')
  @SelfAudited({ action: 'audit_log.search', kind: 'read', resource: { type: 'audit_log' } })
  @ReadLimited('list')
  @ApiOperation({
    summary: 'Search the audit log, newest first (occurredAt desc, sequence desc), with an opaque cursor',
    description:
      'A request examines at most LIST_SCAN_MAX_ROWS index entries: when a filter matches few of them, the page may hold fewer than `limit` items (even none) ' +
      'together with a `nextCursor`; follow it to continue. `nextCursor: null` means there is nothing more.',
  })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: EVENT_ITEM_SCHEMA }, nextCursor: { type: 'string', nullable: true } } } })
  @ProblemResponses(400, 401, 403, 429, 503)
  list(@Query() params: ListParams, @CurrentPrincipal() principal: Principal): Promise<AuditEventPage> {
    return this.queries.execute(new ListAuditEvents(principal, params));
  }

  @Get('export')
  @RequirePermission('audit:export', 'audit:read:own')
  @SelfAudited({ action: 'audit_log.export', kind: 'stream', resource: { type: 'audit_log' } })
  @ReadLimited('bulk')
  @ApiOperation({ summary: 'Stream every matching event (NDJSON or CSV) in constant memory; a snapshot as of the request' })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ProblemResponses(400, 401, 403, 429)
  async export(
    @Query() params: ExportParams,
    @CurrentPrincipal() principal: Principal,
    @StartAudited() recordAccess: AccessRecorder,
    @Res() res: StreamingResponse,
  ): Promise<void> {
    await recordAccess();
    const head = await this.reader.head(principal.tenantId);
    const headSequence = head?.headSequence ?? -1;
    // The snapshot bound is applied here, not in the query: the scan must stay on the sortKey order
    // of the filter indexes (a sequence range would make the store sort the whole log per page).
    const filter = auditLogFilter(principal, params);
    const csv = params.format === 'csv';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${principal.tenantId}-${new Date().toISOString().replace(/[:.]/g, '')}.${csv ? 'csv' : 'ndjson'}"`);
    res.setHeader('X-Audit-Head-Sequence', String(headSequence));
    if (head) res.setHeader('X-Audit-Head-Hash', head.headHash);
    let closed = false;
    const whenClosed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    void whenClosed.then(() => (closed = true));
    if (csv) res.write(CSV_HEADER);
    for await (const page of this.reader.scan(filter)) {
      if (closed) return;
      if (page.length === 0) continue;
      let chunk = '';
      for (const doc of page) {
        if (doc.sequence > headSequence) continue; // recorded after the export started
        chunk += csv ? csvRow(asStoredEvent(doc)) : JSON.stringify(asStoredEvent(doc)) + '\n';
      }
      if (!res.write(chunk)) await Promise.race([once(res as never, 'drain'), whenClosed]);
    }
    res.end();
  }

  @Get('stream')
  @RequirePermission('audit:read', 'audit:read:own')
  @SelfAudited({ action: 'audit_log.stream', kind: 'stream', resource: { type: 'audit_log' } })
  @ReadLimited('stream')
  @ApiOperation({ summary: 'Live tail as Server-Sent Events (id = sequence); resumes after Last-Event-ID' })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this sequence' })
  @ProblemResponses(400, 401, 403, 429)
  async stream(
    @Query() params: StreamParams,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @StartAudited() recordAccess: AccessRecorder,
    @Req() req: { on(event: 'close', listener: () => void): void },
    @Res() res: StreamingResponse,
  ): Promise<void> {
    await recordAccess();
    const resumeFrom = lastEventIdHeader !== undefined && /^-?\d+$/.test(lastEventIdHeader) ? Number(lastEventIdHeader) : params.lastEventId;
    let cursor = resumeFrom ?? (await this.reader.head(principal.tenantId))?.headSequence ?? -1;
    const filter = auditLogFilter(principal, params);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let open = true;
    const whenClosed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    void whenClosed.then(() => (open = false));
    res.write(`retry: 2000\n: streaming audit events after sequence ${cursor}\n\n`);
    let lastBeat = Date.now();
    const slice = this.scheduler.slice();
    while (open) {
      const head = (await this.reader.head(principal.tenantId))?.headSequence ?? -1;
      const upTo = Math.min(head, cursor + SSE_WINDOW);
      for (const doc of await this.reader.between(filter, cursor, upTo)) {
        res.write(`id: ${doc.sequence}\nevent: audit-event\ndata: ${JSON.stringify(toStoredEvent(doc))}\n\n`);
      }
      // Every event up to upTo has been looked at, matching or not.
      cursor = Math.max(cursor, upTo);
      if (res.writableNeedDrain) await Promise.race([once(res as never, 'drain'), whenClosed]);
      if (upTo < head) {
        await slice.pause();
        continue;
      }
      if (Date.now() - lastBeat >= SSE_HEARTBEAT_MS) {
        res.write(': keep-alive\n\n');
        lastBeat = Date.now();
      }
      await this.reader.nextCommit(1000);
    }
    if (!res.writableEnded) res.end();
  }

  @Get(':id')
  @RequirePermission('audit:read', 'audit:read:own')
  @SelfAudited({ action: 'audit_event.view', kind: 'read', resource: { type: 'audit_event', param: 'id' } })
  @ApiOperation({ summary: 'One event in full: before/after, a field-level diff and its integrity fields' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    schema: openApiSchema({
      ...EVENT_ITEM_SCHEMA,
      properties: {
        ...EVENT_ITEM_SCHEMA.properties,
        diff: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, change: { type: 'string' }, before: {}, after: {} } } },
        integrity: { type: 'object', properties: { sequence: { type: 'integer' }, prevHash: { type: 'string' }, hash: { type: 'string' } } },
      },
    }),
  })
  @ProblemResponses(400, 401, 403, 404, 503)
  detail(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() params: DetailParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditEventDetail> {
    return this.queries.execute(new GetAuditEvent(principal, id, params.minSequence));
  }
}

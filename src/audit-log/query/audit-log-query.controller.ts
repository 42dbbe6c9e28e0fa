import { Controller, Get, Headers, Logger, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { once } from 'node:events';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { openApiSchema } from '../../http/openapi-schema';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ReadLimited } from '../../read-limits/read-limited';
import { StreamOpenings } from '../../read-limits/stream-openings';
import { AccessRecorder, SelfAudited, StartAudited } from '../../self-audit/self-audit.decorators';
import { AUDIT_EVENT_SCHEMA } from '../record-audit-events/audit-event.schema';
import { CSV_COLUMNS, CSV_HEADER, csvRow } from './audit-event-csv';
import { AuditEventDetail, AuditEventPage, AuditLogReader, EXPORT_WINDOW_ROWS, servableEvent } from './audit-log-reader';
import { auditLogFilter } from './audit-log.filters';
import { DetailParams, ExportParams, ListParams, StreamParams } from './audit-log-query.params';
import { LiveTailHub, SSE_RETRY_MS } from './live-tail-hub';
import { GetAuditEvent, ListAuditEvents } from './list-audit-events.query';

interface StreamingResponse {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string): void;
  /** Closes the connection without the end of the body: the client sees the transfer cut. */
  destroy(): void;
  writableNeedDrain: boolean;
  writableLength: number;
  writableEnded: boolean;
  destroyed: boolean;
  on(event: 'close', listener: () => void): void;
  once(event: 'drain', listener: () => void): void;
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


@ApiTags('audit events')
@ApiBearerAuth()
@ApiHeader({ name: 'X-Audit-Channel', required: false, description: 'ui | api | workflow (default api): how this access is recorded' })
@Controller('v1/audit-events')
export class AuditLogQueryController {
  private readonly logger = new Logger(AuditLogQueryController.name);

  constructor(
    private readonly queries: QueryBus,
    private readonly reader: AuditLogReader,
    private readonly liveTails: LiveTailHub,
    private readonly openings: StreamOpenings,
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
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: { items: { type: 'array', items: EVENT_ITEM_SCHEMA }, nextCursor: { type: 'string', nullable: true, description: 'null when there is nothing more' } },
    },
  })
  @ProblemResponses(400, 401, 403, 429, 500, 503)
  list(@Query() params: ListParams, @CurrentPrincipal() principal: Principal): Promise<AuditEventPage> {
    return this.queries.execute(new ListAuditEvents(principal, params));
  }

  @Get('export')
  @RequirePermission('audit:export', 'audit:read:own')
  @SelfAudited({ action: 'audit_log.export', kind: 'stream', resource: { type: 'audit_log' } })
  @ReadLimited('bulk')
  @ApiOperation({
    summary: 'Stream every matching event (NDJSON or CSV) in constant memory; a snapshot as of the request',
    description:
      'NDJSON: one stored event per line, as the detail shows it. CSV (RFC 4180, CRLF): every field of the stored event, one column each, in this order: ' +
      CSV_COLUMNS.map((c) => (c.kind === 'json' ? `${c.header} (JSON text)` : c.header)).join(', ') +
      '. An empty cell is an absent field. Cells starting with = + - @ tab CR or \' get a leading \'; remove one leading \' from any cell that has one to get the original text. Details: docs/export-formats.md. ' +
      'A complete export ends with the normal end of the chunked body. If the export cannot be completed once it has started ' +
      '(a store error, an event that cannot be serialized), the server aborts the connection without that end: clients and tools ' +
      'then report a truncated transfer (curl exit 18, fetch/stream errors) and the file must be discarded. If events of the ' +
      'tenant could not be projected, the export is refused up front with problem+json 500 (type audit-log-incomplete).',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The matching events, streamed: NDJSON (format=ndjson, the default) or CSV (format=csv)',
    content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
  })
  @ProblemResponses(400, 401, 403, 429, 500)
  async export(
    @Query() params: ExportParams,
    @CurrentPrincipal() principal: Principal,
    @StartAudited() recordAccess: AccessRecorder,
    @Res() res: StreamingResponse,
  ): Promise<void> {
    await this.reader.awaitSequence(principal.tenantId, params.minSequence);
    await this.reader.assertComplete(principal.tenantId);
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
    try {
      if (csv) res.write(CSV_HEADER);
      for await (const page of this.reader.scan(filter, EXPORT_WINDOW_ROWS[csv ? 'csv' : 'ndjson'])) {
        if (closed) return;
        if (page.length === 0) continue;
        let chunk = '';
        for (const { sequence, json } of page) {
          if (sequence > headSequence) continue; // recorded after the export started
          chunk += csv ? csvRow(servableEvent(json)) : json + '\n';
        }
        if (!res.write(chunk)) await Promise.race([once(res as never, 'drain'), whenClosed]);
      }
    } catch (error) {
      // Never a clean end for a short file: the connection is cut so that the client knows.
      this.logger.error({ msg: 'export failed midway: connection aborted', tenantId: principal.tenantId, error: error instanceof Error ? error.message : String(error) });
      res.destroy();
      return;
    }
    res.end();
  }

  @Get('stream')
  @RequirePermission('audit:read', 'audit:read:own')
  @SelfAudited({ action: 'audit_log.stream', kind: 'stream', resource: { type: 'audit_log' } })
  @ReadLimited('stream')
  @ApiOperation({
    summary: 'Live tail as Server-Sent Events (id = sequence); resumes after Last-Event-ID',
    description:
      'If the tail cannot go on without skipping an event (an event of the tenant could not be projected, or a read fails), the ' +
      'server sends a `problem` event whose data is a problem+json document and closes the connection; reconnecting then answers ' +
      'problem+json 500 (type audit-log-incomplete) until the cause is repaired.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this sequence' })
  @ApiOkResponse({
    description: 'Server-Sent Events: `id` is the sequence, `data` a stored event as the detail shows it; a `problem` event ends a tail that cannot go on',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ProblemResponses(400, 401, 403, 429, 500)
  async stream(
    @Query() params: StreamParams,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @StartAudited() recordAccess: AccessRecorder,
    @Req() req: { on(event: 'close', listener: () => void): void },
    @Res() res: StreamingResponse,
  ): Promise<void> {
    await this.reader.awaitSequence(principal.tenantId, params.minSequence);
    await this.reader.assertComplete(principal.tenantId);
    await recordAccess();
    // One group commit resolves the self-audit records of a whole burst of openings at once.
    await this.openings.turn();
    const resumeFrom = lastEventIdHeader !== undefined && /^-?\d+$/.test(lastEventIdHeader) ? Number(lastEventIdHeader) : params.lastEventId;
    const cursor = resumeFrom ?? (await this.reader.head(principal.tenantId))?.headSequence ?? -1;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    // The client may have left while the opening waited (its turn, the self-audit commit): no 'close' will come then.
    const closed = new Promise<void>((resolve) => (res.destroyed ? resolve() : req.on('close', () => resolve())));
    // The headers go out with this first write: one socket write per opening (1,000 tails opening at once).
    res.write(`retry: ${SSE_RETRY_MS}\n: streaming audit events after sequence ${cursor}\n\n`);
    await this.liveTails.follow(
      principal.tenantId,
      {
        filter: auditLogFilter(principal, params),
        cursor,
        write: (frames) => !res.destroyed && !res.writableEnded && (res.write(frames), true),
        buffered: () => res.writableLength,
        onDrain: (listener) => res.once('drain', listener),
        end: (lastFrame) => {
          if (!res.writableEnded) res.end(lastFrame);
        },
      },
      closed,
    );
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
        diff: {
          type: 'array',
          items: { type: 'object', required: ['path', 'change'], properties: { path: { type: 'string' }, change: { type: 'string', enum: ['added', 'removed', 'modified'] }, before: {}, after: {} } },
        },
        integrity: {
          type: 'object',
          required: ['sequence', 'prevHash', 'hash'],
          properties: { sequence: { type: 'integer' }, prevHash: { type: 'string' }, hash: { type: 'string' } },
        },
      },
      required: [...EVENT_ITEM_SCHEMA.required!, 'diff', 'integrity'],
    }),
  })
  @ProblemResponses(400, 401, 403, 404, 500, 503)
  detail(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() params: DetailParams,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AuditEventDetail> {
    return this.queries.execute(new GetAuditEvent(principal, id, params.minSequence));
  }
}

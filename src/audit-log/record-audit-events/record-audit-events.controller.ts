import { Body, Controller, ForbiddenException, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { openApiSchema } from '../../http/openapi-schema';
import { PROBLEM_SCHEMA, ProblemResponses } from '../../http/problem-responses.decorator';
import { SelfAuditExempt } from '../../self-audit/self-audit.decorators';
import { AuditEventInput, MAX_BATCH_EVENTS, RecordedReceipt } from '../audit-event';
import { AUDIT_BATCH_SCHEMA, AUDIT_EVENT_EXAMPLE, AUDIT_EVENT_SCHEMA } from './audit-event.schema';
import { AuditEventValidationError, validateAuditEvents } from './audit-event.validator';
import { RecordAuditEvents } from './record-audit-events.command';

const RECEIPT_SCHEMA = openApiSchema({
  type: 'object',
  required: ['id', 'tenantId', 'sequence', 'hash', 'recordedAt', 'duplicate'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    tenantId: { type: 'string' },
    sequence: { type: 'integer', minimum: 0 },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    recordedAt: { type: 'string', format: 'date-time' },
    duplicate: { type: 'boolean', description: 'The id was recorded before with the same content; this is the original.' },
  },
});

/** Bounded admission (ADR 030). */
const BACKLOGGED = {
  status: 429,
  description: "Too many of your tenant's recorded events are not yet queryable (INGEST_MAX_UNPROJECTED_EVENTS); nothing was recorded; retry after Retry-After seconds (problem+json)",
  content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
};

@ApiTags('audit events')
@ApiBearerAuth()
@ApiExtraModels()
@Controller('v1/audit-events')
@SelfAuditExempt('the submitted events are themselves the record')
export class RecordAuditEventsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @RequirePermission('audit:write')
  @ApiOperation({ summary: 'Record one audit event (201 once durable; 200 with the original on an idempotent resend)' })
  @ApiBody({ schema: openApiSchema(AUDIT_EVENT_SCHEMA), examples: { invoiceUpdate: { value: AUDIT_EVENT_EXAMPLE } } })
  @ApiResponse({ status: 201, description: 'Recorded durably', schema: RECEIPT_SCHEMA })
  @ApiResponse({ status: 200, description: 'Already recorded with the same content (idempotent resend)', schema: RECEIPT_SCHEMA })
  @ProblemResponses(400, 401, 403, 409, 413, 422, 503)
  @ApiResponse(BACKLOGGED)
  async recordOne(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<RecordedReceipt> {
    const [input] = validateAuditEvents([body], new Date(), '');
    const [receipt] = await this.commands.execute(new RecordAuditEvents(targetTenant(principal, [input]), [input]));
    if (receipt.duplicate) res.status(200);
    return receipt;
  }

  @Post('batch')
  @HttpCode(201)
  @RequirePermission('audit:write')
  @ApiOperation({ summary: `Record up to ${MAX_BATCH_EVENTS} events (≤ 5 MiB) atomically: one invalid event and nothing is recorded` })
  @ApiBody({ schema: openApiSchema(AUDIT_BATCH_SCHEMA), examples: { one: { value: { events: [AUDIT_EVENT_EXAMPLE] } } } })
  @ApiResponse({ status: 201, description: 'All recorded durably', schema: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: RECEIPT_SCHEMA } } } })
  @ProblemResponses(400, 401, 403, 409, 413, 422, 503)
  @ApiResponse(BACKLOGGED)
  async recordBatch(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ results: RecordedReceipt[] }> {
    const events = validateBatchBody(body);
    const results = await this.commands.execute(new RecordAuditEvents(targetTenant(principal, events), events));
    return { results };
  }
}

function validateBatchBody(body: unknown): AuditEventInput[] {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const extra = Object.keys(envelope).filter((k) => k !== 'events');
  if (extra.length) throw new AuditEventValidationError(extra.map((path) => ({ path, message: 'is not an accepted field' })));
  return validateAuditEvents(envelope.events, new Date());
}

/**
 * The tenant comes from the token. A tenantId in the body is accepted only from a platform ingestor,
 * and a batch writes to exactly one tenant (atomicity is per tenant log).
 */
function targetTenant(principal: Principal, events: AuditEventInput[]): string {
  const named = new Set(events.map((e) => e.tenantId).filter((t): t is string => t !== undefined));
  if (named.size === 0) return principal.tenantId;
  if (!principal.permissions.has('audit:write:any-tenant')) {
    throw new ForbiddenException('tenantId may only be set by a platform ingestor; your events go to your token tenant');
  }
  if (named.size > 1 || events.some((e) => e.tenantId === undefined)) {
    throw new ForbiddenException('A batch from a platform ingestor must name one tenantId on every event');
  }
  return [...named][0];
}

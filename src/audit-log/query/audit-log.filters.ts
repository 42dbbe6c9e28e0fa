import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, Min, ValidationArguments } from 'class-validator';
import { Principal } from '../../auth/principal';
import { DecimalIntegerQuery, IdentifierQuery, NORMALISED_INSTANT, toQueryInstant } from '../../http/query-params';
import { Filter } from '../../read-store/read-store.port';
import { AUDIT_ACTOR_TYPES, CHANNELS, OUTCOMES, SERVICE_NAME } from '../audit-event';

/**
 * An unencoded `+` in a query string decodes to a space, so `…T00:00:00+01:00` arrives as
 * `…T00:00:00 01:00`; say so instead of only calling the date invalid.
 */
const isoDateMessage = ({ property, value }: ValidationArguments): string =>
  typeof value === 'string' && / \d{2}(:?\d{2})?$/.test(value)
    ? `${property} must be an ISO-8601 date-time; "${value}" looks like an offset whose "+" was not URL-encoded: write it as %2B (e.g. 2026-11-01T00:00:00%2B01:00) or use Z`
    : `${property} must be an ISO-8601 date-time with offset, e.g. 2026-11-01T00:00:00Z, or a date (2026-11-01, midnight UTC)`;

const toIso = ({ value }: { value: unknown }) => toQueryInstant(value);

/** Filters shared by list, export and the live stream (ARCHITECTURE §5). */
export class AuditLogFilterParams {
  @ApiPropertyOptional({ description: 'occurredAt ≥ from (inclusive), ISO-8601 with offset, or a date YYYY-MM-DD (midnight UTC)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsString({ message: isoDateMessage })
  @Matches(NORMALISED_INSTANT, { message: isoDateMessage })
  @Transform(toIso)
  from?: string;

  @ApiPropertyOptional({ description: 'occurredAt < to (exclusive), ISO-8601 with offset, or a date YYYY-MM-DD (midnight UTC)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsString({ message: isoDateMessage })
  @Matches(NORMALISED_INSTANT, { message: isoDateMessage })
  @Transform(toIso)
  to?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @IdentifierQuery() @MaxLength(256) actorId?: string;
  @ApiPropertyOptional({ enum: AUDIT_ACTOR_TYPES }) @IsOptional() @IsIn([...AUDIT_ACTOR_TYPES]) actorType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IdentifierQuery() @MaxLength(128) resourceType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @IdentifierQuery() @MaxLength(256) resourceId?: string;
  @ApiPropertyOptional({ example: 'invoice.update' }) @IsOptional() @IsString() @IdentifierQuery() @MaxLength(128) action?: string;
  @ApiPropertyOptional({ enum: OUTCOMES }) @IsOptional() @IsIn([...OUTCOMES]) outcome?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn([...CHANNELS]) channel?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: `true: leave out the records the service writes about itself (context.sourceService = "${SERVICE_NAME}"): its own reads such as audit_log.search, access.denied refusals, and role and grant changes made through this API. Off by default, so nothing is hidden unless asked.`,
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'excludeSelfAudit must be true or false' })
  excludeSelfAudit?: boolean;
}

export class MinSequenceParams {
  @ApiPropertyOptional({ description: 'Wait (≤ 5 s) until the read model has applied this sequence of your tenant' })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(0)
  minSequence?: number;
}

export class ReadYourWritesParams extends IntersectionType(AuditLogFilterParams, MinSequenceParams) {}

/** True if the caller may only see events they performed (standard users). */
export function ownRecordsOnly(principal: Principal): boolean {
  return !principal.permissions.has('audit:read') && principal.permissions.has('audit:read:own');
}

/**
 * The read-model filter for a caller: always scoped to the caller's tenant, and to their own
 * actions when they may only read their own records.
 */
export function auditLogFilter(principal: Principal, params: AuditLogFilterParams, before?: string): Filter {
  const filter: Filter = { tenantId: principal.tenantId };
  if (ownRecordsOnly(principal)) {
    filter['actor.id'] = params.actorId === undefined || params.actorId === principal.subject ? principal.subject : { $in: [] };
  } else if (params.actorId !== undefined) {
    filter['actor.id'] = params.actorId;
  }
  if (params.actorType !== undefined) filter['actor.type'] = params.actorType;
  if (params.resourceType !== undefined) filter['resource.type'] = params.resourceType;
  if (params.resourceId !== undefined) filter['resource.id'] = params.resourceId;
  if (params.action !== undefined) filter.action = params.action;
  if (params.outcome !== undefined) filter.outcome = params.outcome;
  if (params.channel !== undefined) filter.channel = params.channel;
  if (params.excludeSelfAudit === true) filter['context.sourceService'] = { $ne: SERVICE_NAME };
  const upper = [params.to, before].filter((v): v is string => v !== undefined).sort()[0];
  if (params.from !== undefined || upper !== undefined) {
    filter.sortKey = { ...(params.from !== undefined ? { $gte: params.from } : {}), ...(upper !== undefined ? { $lt: upper } : {}) };
  }
  return filter;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DecimalIntegerQuery } from '../../http/query-params';
import { RULE_ID_PATTERN, SEVERITIES, Severity } from '../rules/monitoring-rule';
import { ALERT_STATUSES, AlertStatus } from './alert';

/** GET /v1/alerts: filters on status, severity, rule and raisedAt (from inclusive, to exclusive); newest first. */
export class ListAlertsParams {
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ pattern: RULE_ID_PATTERN.source })
  @IsOptional()
  @Matches(RULE_ID_PATTERN, { message: 'ruleId must be 1-64 of a-z 0-9 -' })
  ruleId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'raisedAt at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'raisedAt before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;
}

export class TriageRequest {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

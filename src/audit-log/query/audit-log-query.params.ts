import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DecimalIntegerQuery } from '../../http/query-params';
import { MinSequenceParams, ReadYourWritesParams } from './audit-log.filters';

export class ListParams extends ReadYourWritesParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({
    description:
      'Only the events of this alert (every one of them, also beyond the alert\'s first 100 `eventIds`); needs `alerts:read` as well. ' +
      'The alert\'s `auditLogLink` uses it. Other filters still apply. Unknown alert in your tenant: 404.',
    example: '3f5c1e0a9b7d4c2e8f6a1b3c5d7e9f01',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{32}$/, { message: 'alertId must be an alert id (32 lowercase hex characters)' })
  alertId?: string;
}

export class ExportParams extends ReadYourWritesParams {
  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], default: 'ndjson' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv' = 'ndjson';
}

export class StreamParams extends ReadYourWritesParams {
  @ApiPropertyOptional({ description: 'Resume after this sequence (same as the Last-Event-ID header)' })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(-1)
  lastEventId?: number;
}

/** Detail view: only read-your-writes. */
export class DetailParams extends MinSequenceParams {}

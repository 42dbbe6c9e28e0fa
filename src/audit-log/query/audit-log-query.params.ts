import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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

import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Max, Min } from 'class-validator';
import { DecimalIntegerQuery } from '../../http/query-params';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { SelfAudited } from '../../self-audit/self-audit.decorators';
import { Checkpoint } from './checkpoint';
import { CheckpointReader } from './checkpoint-reader';

class CheckpointListParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

const CURSOR = /^c([0-9]{1,15})$/;

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('v1/integrity')
export class CheckpointsController {
  constructor(private readonly reader: CheckpointReader) {}

  @Get('checkpoints')
  @RequirePermission('audit:verify')
  @SelfAudited({ action: 'audit_log.checkpoints.list', kind: 'read', resource: { type: 'audit_log' } })
  @ApiOperation({ summary: "The tenant's signed checkpoints, oldest first (keep a copy outside the service to verify offline)" })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              tenantId: { type: 'string' },
              sequence: { type: 'integer' },
              hash: { type: 'string' },
              previousCheckpointHash: { type: 'string' },
              createdAt: { type: 'string', format: 'date-time' },
              keyId: { type: 'string' },
              signature: { type: 'string', description: 'Base64 Ed25519 over the JCS of the checkpoint without signature' },
            },
          },
        },
        nextCursor: { type: 'string', nullable: true },
      },
    },
  })
  @ProblemResponses(400, 401, 403)
  async list(@Query() params: CheckpointListParams, @CurrentPrincipal() principal: Principal): Promise<{ items: Checkpoint[]; nextCursor: string | null }> {
    let from = 0;
    if (params.cursor !== undefined) {
      const match = CURSOR.exec(params.cursor);
      if (!match) throw new BadRequestException('cursor: not a cursor of this list');
      from = Number(match[1]);
    }
    const { items, next } = await this.reader.page(principal.tenantId, from, params.limit);
    return { items, nextCursor: next === null ? null : `c${next}` };
  }
}

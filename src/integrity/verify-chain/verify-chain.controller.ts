import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ReadLimited } from '../../read-limits/read-limited';
import { SelfAudited } from '../../self-audit/self-audit.decorators';
import { ChainVerification, ChainVerifier } from './chain-verifier';

class VerifyParams {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromSequence?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Default: the head of the log' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  toSequence?: number;
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('v1/integrity')
export class VerifyChainController {
  constructor(private readonly verifier: ChainVerifier) {}

  @Get('verify')
  @RequirePermission('audit:verify')
  @SelfAudited({ action: 'audit_log.verify', kind: 'read', resource: { type: 'audit_log' } })
  @ReadLimited('bulk')
  @ApiOperation({ summary: "Recompute the tenant's hash chain from the event store and name the first bad sequence" })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        valid: { type: 'boolean' },
        checked: { type: 'integer' },
        fromSequence: { type: 'integer' },
        toSequence: { type: 'integer' },
        headSequence: { type: 'integer' },
        headHash: { type: 'string' },
        firstInvalidSequence: { type: 'integer' },
        reason: { type: 'string' },
        missingFrom: { type: 'integer', description: 'First sequence known to have been recorded that the stream no longer holds' },
        missingTo: { type: 'integer', description: 'Last such sequence (inclusive)' },
      },
    },
  })
  @ProblemResponses(400, 401, 403, 429)
  verify(@Query() params: VerifyParams, @CurrentPrincipal() principal: Principal): Promise<ChainVerification> {
    if (params.toSequence !== undefined && params.fromSequence !== undefined && params.toSequence < params.fromSequence) {
      throw new BadRequestException('toSequence must not be less than fromSequence');
    }
    return this.verifier.verify(principal.tenantId, params.fromSequence ?? 0, params.toSequence);
  }
}

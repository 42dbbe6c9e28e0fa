import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Min } from 'class-validator';
import { DecimalIntegerQuery } from '../../http/query-params';
import { RequirePermission } from '../../auth/access.decorators';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal } from '../../auth/principal';
import { ProblemResponses } from '../../http/problem-responses.decorator';
import { ReadLimited } from '../../read-limits/read-limited';
import { SelfAudited } from '../../self-audit/self-audit.decorators';
import { CheckpointAgreement, CheckpointComparison } from '../checkpoints/checkpoint-comparison';
import { withCheckpoints } from '../checkpoints/with-checkpoints';
import { ChainVerification, ChainVerifier } from './chain-verifier';

class VerifyParams {
  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(0)
  fromSequence?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Default: the head of the log' })
  @IsOptional()
  @DecimalIntegerQuery()
  @Min(0)
  toSequence?: number;
}

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('v1/integrity')
export class VerifyChainController {
  constructor(
    private readonly verifier: ChainVerifier,
    private readonly checkpoints: CheckpointComparison,
  ) {}

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
        checkpointsChecked: { type: 'integer', description: 'Signed checkpoints whose signature and link were checked' },
        latestCheckpoint: { type: 'object', description: 'The newest signed checkpoint, which the stream must reach and agree with' },
        contradictedCheckpoint: { type: 'object', description: 'The signed checkpoint the stream (truncated or rewritten) or the checkpoint stream contradicts' },
        checkpointProblem: { type: 'string' },
        checkpointsCoveringExpired: { type: 'integer', description: 'Checkpoints that sign sequences retention has expired: checked, not compared with the stream' },
        expired: {
          type: 'object',
          description: 'Set when retention expired the front of the log: the retention.expire record (in the verified chain) that accounts for sequences 0..toSequence',
          properties: {
            count: { type: 'integer' },
            fromSequence: { type: 'integer' },
            toSequence: { type: 'integer' },
            lastExpiredHash: { type: 'string' },
            recordSequence: { type: 'integer' },
          },
        },
      },
    },
  })
  @ProblemResponses(400, 401, 403, 429)
  async verify(@Query() params: VerifyParams, @CurrentPrincipal() principal: Principal): Promise<ChainVerification & Partial<CheckpointAgreement>> {
    if (params.toSequence !== undefined && params.fromSequence !== undefined && params.toSequence < params.fromSequence) {
      throw new BadRequestException('toSequence must not be less than fromSequence');
    }
    const chain = await this.verifier.verify(principal.tenantId, params.fromSequence ?? 0, params.toSequence);
    return withCheckpoints(chain, await this.checkpoints.compare(principal.tenantId, chain.expired ? chain.expired.toSequence + 1 : 0));
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsISO8601, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { STREAM_ID_PATTERN } from '../../event-store/stream-names';
import { CROSS_TENANT_GRANTABLE_PERMISSIONS } from '../../auth/permissions';
import { MAX_GRANT_DAYS } from '../grant.decider';

export class IssueGrantRequest {
  @ApiProperty({ description: "The platform administrator's token subject (sub)", example: 'ops-jane' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  grantee!: string;

  @ApiProperty({
    description: "The platform administrator's home tenant (their token's tenant): the grant is for grantee of that tenant only",
    example: 'platform',
    pattern: STREAM_ID_PATTERN.source,
  })
  @IsString()
  @Matches(STREAM_ID_PATTERN, { message: 'granteeTenant must be a tenant id (1-128 of A-Z a-z 0-9 _ . : -)' })
  granteeTenant!: string;

  @ApiProperty({ type: [String], enum: CROSS_TENANT_GRANTABLE_PERMISSIONS, example: ['audit:read'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(16)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  permissions!: string[];

  @ApiProperty({ format: 'date-time', description: `In the future, at most ${MAX_GRANT_DAYS} days ahead` })
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt!: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsISO8601, IsString, MaxLength, MinLength } from 'class-validator';
import { CROSS_TENANT_GRANTABLE_PERMISSIONS } from '../../auth/permissions';
import { MAX_GRANT_DAYS } from '../grant.decider';

export class IssueGrantRequest {
  @ApiProperty({ description: "The platform administrator's token subject (sub)", example: 'ops-jane' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  grantee!: string;

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

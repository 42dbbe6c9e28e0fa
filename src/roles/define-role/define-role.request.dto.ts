import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TENANT_ASSIGNABLE_PERMISSIONS } from '../../auth/permissions';
import { ROLE_NAME_PATTERN, ROLE_NAME_RULE } from '../role-name';

export class DefineRoleRequest {
  @ApiProperty({ pattern: ROLE_NAME_PATTERN.source, example: 'finance_reviewer', description: `${ROLE_NAME_RULE}; not a built-in role name` })
  @IsString()
  @Matches(ROLE_NAME_PATTERN, { message: `name must be ${ROLE_NAME_RULE}` })
  name!: string;

  @ApiProperty({ type: [String], enum: TENANT_ASSIGNABLE_PERMISSIONS, example: ['audit:read', 'reports:read'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  permissions!: string[];

  @ApiPropertyOptional({ maxLength: 500, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

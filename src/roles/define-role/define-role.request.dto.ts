import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { RolePermissionsRequest } from '../change-role/change-role.request.dto';
import { ROLE_NAME_PATTERN, ROLE_NAME_RULE } from '../role-name';

export class DefineRoleRequest extends RolePermissionsRequest {
  @ApiProperty({ pattern: ROLE_NAME_PATTERN.source, example: 'finance_reviewer', description: `${ROLE_NAME_RULE}; not a built-in role name` })
  @IsString()
  @Matches(ROLE_NAME_PATTERN, { message: `name must be ${ROLE_NAME_RULE}` })
  name!: string;

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

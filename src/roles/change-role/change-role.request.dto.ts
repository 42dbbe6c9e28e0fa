import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { TENANT_ASSIGNABLE_PERMISSIONS } from '../../auth/permissions';

/** The granular permissions a tenant role grants (shared by define and change). */
export class RolePermissionsRequest {
  @ApiProperty({ type: [String], enum: TENANT_ASSIGNABLE_PERMISSIONS, example: ['audit:read', 'audit:export'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  permissions!: string[];
}

/** Replaces the role's permissions (and its description, when given). */
export class ChangeRoleRequest extends RolePermissionsRequest {
  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true, description: 'Omit to keep the current description; null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

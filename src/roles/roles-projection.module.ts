import { Module } from '@nestjs/common';
import { TenantRolesProjection } from './tenant-roles.projection';

/** The tenant-roles projection alone: loaded by the app and by the projection worker. */
@Module({ providers: [TenantRolesProjection], exports: [TenantRolesProjection] })
export class RolesProjectionModule {}

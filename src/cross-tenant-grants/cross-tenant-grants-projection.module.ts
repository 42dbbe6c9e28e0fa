import { Module } from '@nestjs/common';
import { CrossTenantGrantsProjection } from './cross-tenant-grants.projection';

/** The cross-tenant-grants projection alone: loaded by the app and by the projection worker. */
@Module({ providers: [CrossTenantGrantsProjection], exports: [CrossTenantGrantsProjection] })
export class CrossTenantGrantsProjectionModule {}

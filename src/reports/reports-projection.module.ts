import { Module } from '@nestjs/common';
import { ReportsProjection } from './reports.projection';

/** The reports read model alone: loaded by the app and by the projection worker. */
@Module({ providers: [ReportsProjection], exports: [ReportsProjection] })
export class ReportsProjectionModule {}

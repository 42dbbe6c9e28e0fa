import { Module } from '@nestjs/common';
import { ReportSchedulesProjection } from './report-schedules.projection';

/** The report schedules projection alone: loaded by the app and by the projection worker. */
@Module({ providers: [ReportSchedulesProjection], exports: [ReportSchedulesProjection] })
export class ReportSchedulesProjectionModule {}

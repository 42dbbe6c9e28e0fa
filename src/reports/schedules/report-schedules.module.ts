import { Module } from '@nestjs/common';
import { REPORT_SCHEDULE_CLOCK, ReportScheduleClock } from './report-schedule-clock';
import { ReportScheduleRunner } from './report-schedule-runner';
import { ReportSchedulesController } from './report-schedules.controller';
import { ReportSchedulesService } from './report-schedules.service';

/** /v1/report-schedules and the runner that requests due periods (its read model: ReportSchedulesProjectionModule). */
@Module({
  controllers: [ReportSchedulesController],
  providers: [{ provide: REPORT_SCHEDULE_CLOCK, useValue: (() => new Date()) satisfies ReportScheduleClock }, ReportSchedulesService, ReportScheduleRunner],
  exports: [ReportScheduleRunner],
})
export class ReportSchedulesModule {}

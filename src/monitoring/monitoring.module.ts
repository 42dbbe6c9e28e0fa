import { Module } from '@nestjs/common';
import { AlertChangeFeed } from './alerts/alert-change-feed';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { MonitoringRulesController } from './rules/monitoring-rules.controller';
import { MonitoringRulesService } from './rules/monitoring-rules.service';

/** /v1/monitoring-rules and /v1/alerts. The engine itself runs as a projection (MonitoringProjectionModule). */
@Module({
  controllers: [MonitoringRulesController, AlertsController],
  providers: [MonitoringRulesService, AlertsService, AlertChangeFeed],
  exports: [AlertChangeFeed],
})
export class MonitoringModule {}

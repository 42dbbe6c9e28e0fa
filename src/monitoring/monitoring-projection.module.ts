import { Module } from '@nestjs/common';
import { MonitoringEngineProjection } from './engine/monitoring-engine.projection';
import { MonitoringRulesProjection } from './rules/monitoring-rules.projection';

/** The monitoring projections alone (rules API read model, rules engine): loaded by the app and by the projection worker. */
@Module({ providers: [MonitoringRulesProjection, MonitoringEngineProjection], exports: [MonitoringRulesProjection, MonitoringEngineProjection] })
export class MonitoringProjectionModule {}

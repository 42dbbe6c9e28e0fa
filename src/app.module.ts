import { DynamicModule, Module } from '@nestjs/common';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig, loadAppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CrossTenantGrantsModule } from './cross-tenant-grants/cross-tenant-grants.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';
import { IntegrityModule } from './integrity/integrity.module';
import { PROJECTION_MODULES } from './projections/projection-modules';
import { MonitoringModule } from './monitoring/monitoring.module';
import { NotificationsModule } from './notifications/notifications.module';
import { TenantSettingsModule } from './tenant-settings/tenant-settings.module';
import { AlertRecipientsModule } from './alert-recipients/alert-recipients.module';
import { ProjectionsModule } from './projections/projections.module';
import { ReadLimitsModule } from './read-limits/read-limits.module';
import { ReadStoreModule } from './read-store/read-store.module';
import { RetentionModule } from './retention/retention.module';
import { ReportMailModule } from './reports/mail/report-mail.module';
import { ReportRenderingModule } from './reports/rendering/report-rendering.module';
import { ReportSchedulesModule } from './reports/schedules/report-schedules.module';
import { ReportsModule } from './reports/reports.module';
import { RolesModule } from './roles/roles.module';
import { SelfAuditModule } from './self-audit/self-audit.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
/** Request ids and request logging are set up with the rest of the HTTP surface in configureApp. */
export class AppModule {
  static forRoot(config: AppConfig = loadAppConfig(), options = { startProjections: true }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule,
        ReadStoreModule,
        ReadLimitsModule,
        ProjectionsModule.forRoot({ autoStart: options.startProjections }),
        ...PROJECTION_MODULES,
        AuthModule,
        SelfAuditModule,
        AuditLogModule,
        IntegrityModule,
        RolesModule,
        CrossTenantGrantsModule,
        MonitoringModule,
        TenantSettingsModule,
        AlertRecipientsModule,
        NotificationsModule,
        RetentionModule,
        ReportRenderingModule,
        ReportMailModule,
        ReportSchedulesModule,
        WebhooksModule,
        ReportsModule,
        HealthModule,
      ],
    };
  }
}

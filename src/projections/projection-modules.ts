import { AuditLogProjectionModule } from '../audit-log/audit-log-projection.module';
import { CrossTenantGrantsProjectionModule } from '../cross-tenant-grants/cross-tenant-grants-projection.module';
import { MonitoringProjectionModule } from '../monitoring/monitoring-projection.module';
import { NotificationsProjectionModule } from '../notifications/notifications-projection.module';
import { ReportSchedulesProjectionModule } from '../reports/schedules/report-schedules-projection.module';
import { ReportsProjectionModule } from '../reports/reports-projection.module';
import { RolesProjectionModule } from '../roles/roles-projection.module';
import { WebhooksProjectionModule } from '../webhooks/webhooks-projection.module';

/** Every module that provides @ReadModelProjection providers: the app and the worker load these. */
export const PROJECTION_MODULES = [
  AuditLogProjectionModule,
  RolesProjectionModule,
  CrossTenantGrantsProjectionModule,
  MonitoringProjectionModule,
  NotificationsProjectionModule,
  ReportsProjectionModule,
  ReportSchedulesProjectionModule,
  WebhooksProjectionModule,
];

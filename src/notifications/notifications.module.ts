import { Global, Module } from '@nestjs/common';
import { AlertRecipientsModule } from '../alert-recipients/alert-recipients.module';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { AlertNotifier } from './alert-notifier';
import { NotificationInbox } from './notification-inbox';
import { NotificationTailHub } from './notification-tail-hub';
import { NotificationsController } from './notifications.controller';
import { NOTIFICATIONS } from './notifications.port';
import { NotificationsService } from './notifications.service';

/** /v1/notifications, the alert notifier (raised alerts → notifications), and {@link NOTIFICATIONS} for every module that publishes (alerts, reports, webhooks). */
@Global()
@Module({
  imports: [AlertRecipientsModule, MonitoringModule],
  controllers: [NotificationsController],
  providers: [NotificationInbox, NotificationTailHub, NotificationsService, AlertNotifier, { provide: NOTIFICATIONS, useExisting: NotificationsService }],
  exports: [NOTIFICATIONS],
})
export class NotificationsModule {}

import { Global, Module } from '@nestjs/common';
import { AlertRecipientsModule } from '../alert-recipients/alert-recipients.module';
import { NotificationInbox } from './notification-inbox';
import { NotificationsController } from './notifications.controller';
import { NOTIFICATIONS } from './notifications.port';
import { NotificationsService } from './notifications.service';

/** /v1/notifications, and {@link NOTIFICATIONS} for every module that publishes (alerts, reports, webhooks). */
@Global()
@Module({
  imports: [AlertRecipientsModule],
  controllers: [NotificationsController],
  providers: [NotificationInbox, NotificationsService, { provide: NOTIFICATIONS, useExisting: NotificationsService }],
  exports: [NOTIFICATIONS],
})
export class NotificationsModule {}

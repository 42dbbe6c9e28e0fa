import { Module } from '@nestjs/common';
import { AlertRecipientsProjection } from '../alert-recipients/alert-recipients.projection';
import { TenantSettingsProjection } from '../tenant-settings/tenant-settings.projection';
import { NotificationsProjection } from './notifications.projection';

/** The projections of the notification centre and tenant configuration: loaded by the app and by the projection worker. */
@Module({
  providers: [NotificationsProjection, AlertRecipientsProjection, TenantSettingsProjection],
  exports: [NotificationsProjection, AlertRecipientsProjection, TenantSettingsProjection],
})
export class NotificationsProjectionModule {}

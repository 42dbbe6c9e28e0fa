import { Global, Module } from '@nestjs/common';
import { NOTIFICATIONS, NotificationDraft, Notifications } from '../../src/notifications/notifications.port';

/** A recording fake of the NOTIFICATIONS port for tests of its publishers (tests only). */
export class RecordingNotifications implements Notifications {
  readonly published: Array<{ tenantId: string; draft: NotificationDraft }> = [];

  async publish(tenantId: string, draft: NotificationDraft): Promise<void> {
    this.published.push({ tenantId, draft });
  }
}

export function recordingNotificationsModule(recorder = new RecordingNotifications()) {
  @Global()
  @Module({ providers: [{ provide: NOTIFICATIONS, useValue: recorder }], exports: [NOTIFICATIONS] })
  class RecordingNotificationsModule {}
  return { module: RecordingNotificationsModule, recorder };
}

import { Global, Module } from '@nestjs/common';
import { AuditLogWriterModule } from '../audit-log/audit-log-writer.module';
import { MonitoringModule } from '../monitoring/monitoring.module';
import { AlertWebhooks } from './delivery/alert-webhooks';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { AuditFeeds } from './delivery/audit-feeds';
import { AuditReplays } from './delivery/audit-replays';
import { WEBHOOK_SECRET_CIPHER, WebhookDispatcher } from './delivery/webhook-dispatcher';
import { WebhookStartup } from './delivery/webhook-startup';
import { loadSecretCipher } from './security/secret-cipher';
import { WebhookClock, WebhookResolver } from './webhook-clock';
import { WEBHOOK_EVENTS } from './webhook-events.port';
import { WebhookEventsPublisher } from './webhook-events.publisher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * /v1/webhooks, the delivery dispatcher, the audit.events feeds, and WEBHOOK_EVENTS for other modules
 * (global, so report and checkpoint producers inject it without importing this module). ADR 020.
 */
@Global()
@Module({
  imports: [AuditLogWriterModule, MonitoringModule],
  controllers: [WebhooksController],
  providers: [
    { provide: WEBHOOK_SECRET_CIPHER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => loadSecretCipher(config) },
    WebhookClock,
    WebhookResolver,
    WebhookDispatcher,
    AuditFeeds,
    AuditReplays,
    AlertWebhooks,
    WebhookStartup,
    WebhooksService,
    WebhookEventsPublisher,
    { provide: WEBHOOK_EVENTS, useExisting: WebhookEventsPublisher },
  ],
  exports: [WEBHOOK_EVENTS],
})
export class WebhooksModule {}

import { Module } from '@nestjs/common';
import { WebhooksProjection } from './webhooks.projection';

/** The webhooks read models alone: loaded by the app and by the projection worker. */
@Module({ providers: [WebhooksProjection], exports: [WebhooksProjection] })
export class WebhooksProjectionModule {}

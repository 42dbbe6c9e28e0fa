import { Module } from '@nestjs/common';
import { AlertRecipientsController } from './alert-recipients.controller';
import { AlertRecipientsService } from './alert-recipients.service';

/** /v1/alert-recipients; the notification centre resolves the default addressees of alerts with it. */
@Module({ controllers: [AlertRecipientsController], providers: [AlertRecipientsService], exports: [AlertRecipientsService] })
export class AlertRecipientsModule {}

import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditLogWriterModule } from './audit-log-writer.module';
import { AuditLogQueryController } from './query/audit-log-query.controller';
import { AuditLogReader } from './query/audit-log-reader';
import { LiveTailHub } from './query/live-tail-hub';
import { GetAuditEventHandler, ListAuditEventsHandler } from './query/list-audit-events.handler';
import { RecordAuditEventsController } from './record-audit-events/record-audit-events.controller';
import { RecordAuditEventsHandler } from './record-audit-events/record-audit-events.handler';

@Module({
  imports: [CqrsModule, AuditLogWriterModule],
  controllers: [RecordAuditEventsController, AuditLogQueryController],
  providers: [RecordAuditEventsHandler, AuditLogReader, LiveTailHub, ListAuditEventsHandler, GetAuditEventHandler],
  exports: [AuditLogReader],
})
export class AuditLogModule {}

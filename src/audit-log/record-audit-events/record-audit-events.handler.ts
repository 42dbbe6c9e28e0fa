import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RecordedReceipt } from '../audit-event';
import { AuditStreamWriter } from './audit-stream-writer';
import { RecordAuditEvents } from './record-audit-events.command';

@CommandHandler(RecordAuditEvents)
export class RecordAuditEventsHandler implements ICommandHandler<RecordAuditEvents, RecordedReceipt[]> {
  constructor(private readonly writer: AuditStreamWriter) {}

  execute(command: RecordAuditEvents): Promise<RecordedReceipt[]> {
    return this.writer.record(command.tenantId, command.events);
  }
}

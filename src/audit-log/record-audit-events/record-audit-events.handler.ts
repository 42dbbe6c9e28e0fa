import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RecordedReceipt } from '../audit-event';
import { AuditStreamWriter } from './audit-stream-writer';
import { RecordAuditEvents } from './record-audit-events.command';

@CommandHandler(RecordAuditEvents)
export class RecordAuditEventsHandler implements ICommandHandler<RecordAuditEvents, RecordedReceipt[]> {
  constructor(private readonly writer: AuditStreamWriter) {}

  execute(command: RecordAuditEvents): Promise<RecordedReceipt[]> {
    // Ingestion from clients is bounded by the read model's backlog; the service's own records are not.
    return this.writer.record(command.tenantId, command.events, { bounded: true });
  }
}

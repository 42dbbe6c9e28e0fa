import { Command } from '@nestjs/cqrs';
import { RecordedReceipt } from '../audit-event';

/** Record already-validated events in one tenant's log, all or nothing. */
export class RecordAuditEvents extends Command<RecordedReceipt[]> {
  constructor(
    readonly tenantId: string,
    /** Validated events (see validateAuditEvents). */
    readonly events: import('../audit-event').AuditEventInput[],
  ) {
    super();
  }
}

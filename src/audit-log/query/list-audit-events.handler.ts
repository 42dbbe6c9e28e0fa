import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditEventDetail, AuditEventPage, AuditLogReader } from './audit-log-reader';
import { GetAuditEvent, ListAuditEvents } from './list-audit-events.query';

@QueryHandler(ListAuditEvents)
export class ListAuditEventsHandler implements IQueryHandler<ListAuditEvents, AuditEventPage> {
  constructor(private readonly reader: AuditLogReader) {}

  async execute({ principal, params }: ListAuditEvents): Promise<AuditEventPage> {
    await this.reader.awaitSequence(principal.tenantId, params.minSequence);
    return this.reader.list(principal, params);
  }
}

@QueryHandler(GetAuditEvent)
export class GetAuditEventHandler implements IQueryHandler<GetAuditEvent, AuditEventDetail> {
  constructor(private readonly reader: AuditLogReader) {}

  async execute({ principal, eventId, minSequence }: GetAuditEvent): Promise<AuditEventDetail> {
    await this.reader.awaitSequence(principal.tenantId, minSequence);
    return this.reader.detail(principal, eventId);
  }
}

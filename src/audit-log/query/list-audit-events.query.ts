import { Query } from '@nestjs/cqrs';
import { Principal } from '../../auth/principal';
import { AuditEventDetail, AuditEventPage } from './audit-log-reader';
import { AuditLogFilterParams } from './audit-log.filters';

export class ListAuditEvents extends Query<AuditEventPage> {
  constructor(
    readonly principal: Principal,
    readonly params: AuditLogFilterParams & { cursor?: string; limit: number; minSequence?: number },
  ) {
    super();
  }
}

export class GetAuditEvent extends Query<AuditEventDetail> {
  constructor(
    readonly principal: Principal,
    readonly eventId: string,
    readonly minSequence?: number,
  ) {
    super();
  }
}

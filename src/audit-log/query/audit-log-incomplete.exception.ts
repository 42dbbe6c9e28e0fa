import { HttpException, HttpStatus } from '@nestjs/common';
import { UnreadableAuditEvent } from '../audit-log.read-model';

export const AUDIT_LOG_INCOMPLETE_TYPE = 'https://problems.audit-trail.dev/audit-log-incomplete';
const LISTED = 20;

/**
 * Some of the tenant's events could not be projected into the read model (parked, ADR 009), or were
 * stored in a form that cannot be served: an answer could miss them without anyone noticing, so none
 * is given (problem+json 500).
 */
export class AuditLogIncompleteException extends HttpException {
  constructor(readonly unreadable: UnreadableAuditEvent[]) {
    const sequences = unreadable.map((u) => u.sequence);
    super(
      {
        type: AUDIT_LOG_INCOMPLETE_TYPE,
        title: 'Audit Log Incomplete',
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        detail:
          `${unreadable.length === 1 ? 'The event' : `${unreadable.length} events`} of this tenant at sequence ${sequences.slice(0, LISTED).join(', ')}${unreadable.length > LISTED ? ', …' : ''} ` +
          'cannot be served from the read model, so this answer could miss them; none is given. The events are intact in the ' +
          'event store (GET /v1/integrity/verify checks them); operators see the cause in /health and retry with a rebuild of the audit_log projection.',
        unreadable: unreadable.slice(0, LISTED).map(({ sequence, eventId }) => ({ sequence, eventId })),
      },
      HttpStatus.INTERNAL_SERVER_ERROR,
    );
  }
}

import { BadRequestException, Injectable } from '@nestjs/common';
import { AccessDenialRecorder } from '../auth/access-denial-recorder';
import { Principal } from '../auth/principal';
import { AuditEventInput, Channel, Outcome, SERVICE_NAME } from '../audit-log/audit-event';
import { AuditStreamWriter } from '../audit-log/record-audit-events/audit-stream-writer';
import { RequestContext } from '../logging/request-context';

export const AUDIT_CHANNEL_HEADER = 'x-audit-channel';
const CALLER_CHANNELS: readonly Channel[] = ['ui', 'api', 'workflow'];
export { SERVICE_NAME };

export interface SelfAuditRequest {
  method: string;
  route: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

/** Records the service's own handling of a request as an audit event in the caller's tenant. */
@Injectable()
export class SelfAuditRecorder implements AccessDenialRecorder {
  constructor(private readonly writer: AuditStreamWriter) {}

  /** Reads X-Audit-Channel (ui|api|workflow, default api); anything else is a client error. */
  channelOf(request: SelfAuditRequest): Channel {
    const raw = request.headers[AUDIT_CHANNEL_HEADER];
    if (raw === undefined) return 'api';
    if (typeof raw === 'string' && (CALLER_CHANNELS as string[]).includes(raw)) return raw as Channel;
    throw new BadRequestException(`${AUDIT_CHANNEL_HEADER} must be one of ${CALLER_CHANNELS.join(', ')}`);
  }

  /** A refused request, recorded with outcome `denied` before the 403 is sent. */
  async recordDenial(principal: Principal, request: SelfAuditRequest, required: string[], reason?: string): Promise<void> {
    let channel: Channel = 'api';
    try {
      channel = this.channelOf(request);
    } catch {
      // an invalid channel header must not prevent recording the denial
    }
    await this.record(principal, request, {
      action: 'access.denied',
      outcome: 'denied',
      resource: { type: 'route', id: `${request.method} ${request.route}`.slice(0, 256) },
      channel,
      detail: { requiredAnyOf: required, ...(reason ? { reason } : {}) },
    });
  }

  async record(
    principal: Principal,
    request: SelfAuditRequest,
    event: {
      action: string;
      outcome: Outcome;
      resource: { type: string; id: string };
      channel: Channel;
      detail?: Record<string, unknown>;
      changes?: AuditEventInput['changes'];
    },
  ): Promise<void> {
    const userAgent = request.headers['user-agent'];
    const input: AuditEventInput = {
      occurredAt: new Date().toISOString(),
      actor: {
        id: principal.subject,
        type: principal.actorType,
        ...(principal.roles.length ? { role: principal.roles.join(',').slice(0, 128) } : {}),
        ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
        ...(request.ip ? { ip: request.ip } : {}),
        ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 1024) } : {}),
      },
      action: event.action,
      outcome: event.outcome,
      resource: event.resource,
      ...(event.changes ? { changes: event.changes } : {}),
      channel: event.channel,
      context: { requestId: RequestContext.current()?.requestId, sourceService: SERVICE_NAME },
      metadata: {
        method: request.method,
        route: request.route,
        query: request.query,
        ...event.detail,
        // A platform administrator acting here under a grant: this record is in the target tenant's log.
        ...(principal.crossTenant ? { crossTenant: { fromTenant: principal.crossTenant.fromTenant, grantIds: principal.crossTenant.grantIds } } : {}),
      },
    };
    await this.writer.record(principal.tenantId, [input]);
  }
}

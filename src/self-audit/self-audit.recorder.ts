import { BadRequestException, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AccessDenialRecorder } from '../auth/access-denial-recorder';
import { Principal } from '../auth/principal';
import { AuditEventInput, Channel, Outcome, SERVICE_NAME } from '../audit-log/audit-event';
import { AuditStreamWriter } from '../audit-log/record-audit-events/audit-stream-writer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { auditStreamOf } from '../event-store/stream-names';
import { RequestContext } from '../logging/request-context';
import { RepeatedDenials, RepeatedDenialSummary } from './repeated-denials';
import { boundedQuery, boundedText, MAX_USER_AGENT_LENGTH } from './request-excerpt';

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

/** Why a platform administrator was refused in a tenant that has no audit log (recorded at home). */
export const NO_SUCH_TENANT_REASON = 'no active cross-tenant grant; the tenant named has no audit log';

/** A denial as the summary of its repeats records it again. */
interface DenialSample {
  principal: Principal;
  request: SelfAuditRequest;
  channel: Channel;
  required: string[];
  reason?: string;
}

/** Tenants known to have an audit log (a log is never removed): bounded, so lookups stay cheap. */
const KNOWN_TENANTS_KEPT = 10_000;

/** Records the service's own handling of a request as an audit event in the caller's tenant. */
@Injectable()
export class SelfAuditRecorder implements AccessDenialRecorder, OnModuleDestroy {
  private readonly logger = new Logger('SelfAudit');
  private readonly repeatedDenials: RepeatedDenials<DenialSample>;
  private readonly knownTenants = new Set<string>();
  private readonly summaryTimer: NodeJS.Timeout;
  private denialClock: () => number = Date.now;

  constructor(
    private readonly writer: AuditStreamWriter,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const windowMs = config.accessDenials.windowSeconds * 1000;
    this.repeatedDenials = new RepeatedDenials({ windowMs, now: () => this.denialClock() });
    this.summaryTimer = setInterval(() => void this.recordEndedDenialWindows(), Math.min(windowMs, 1000));
    this.summaryTimer.unref();
  }

  /** Writes the summaries of the denial windows still open, so that no counted denial is lost. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.summaryTimer);
    await this.flushRepeatedDenials();
  }

  /** Records the summaries of the denial windows that have ended (called every second). */
  recordEndedDenialWindows(): Promise<void> {
    return this.recordRepeatedDenials(this.repeatedDenials.takeEnded());
  }

  /** Ends every open denial window now and records the summaries of those that counted repeats. */
  flushRepeatedDenials(): Promise<void> {
    return this.recordRepeatedDenials(this.repeatedDenials.takeAll());
  }

  /** Uses this clock for the denial windows from now on (tests). */
  useDenialClock(now: () => number): void {
    this.denialClock = now;
  }

  /** Reads X-Audit-Channel (ui|api|workflow, default api); anything else is a client error. */
  channelOf(request: SelfAuditRequest): Channel {
    const raw = request.headers[AUDIT_CHANNEL_HEADER];
    if (raw === undefined) return 'api';
    if (typeof raw === 'string' && (CALLER_CHANNELS as string[]).includes(raw)) return raw as Channel;
    throw new BadRequestException(`${AUDIT_CHANNEL_HEADER} must be one of ${CALLER_CHANNELS.join(', ')}`);
  }

  /**
   * A refused request, recorded with outcome `denied` before the 403 is sent: the first of a window
   * per (where recorded, caller, route, reason) at once, its repeats as one summary when the window
   * ends (ACCESS_DENIAL_WINDOW_SECONDS). A platform administrator refused in a tenant that has no
   * audit log is recorded in its home tenant instead: a refusal never creates a tenant's log.
   */
  async recordDenial(principal: Principal, request: SelfAuditRequest, required: string[], reason?: string): Promise<void> {
    let channel: Channel = 'api';
    try {
      channel = this.channelOf(request);
    } catch {
      // an invalid channel header must not prevent recording the denial
    }
    let recordAs = principal;
    let requestedTenant: string | undefined;
    if (principal.crossTenant && principal.crossTenant.grantIds.length === 0 && !(await this.hasAuditLog(principal.tenantId))) {
      requestedTenant = principal.tenantId;
      recordAs = { ...principal, tenantId: principal.crossTenant.fromTenant, crossTenant: undefined };
      reason = NO_SUCH_TENANT_REASON;
    }
    const caller = [principal.crossTenant?.fromTenant ?? principal.tenantId, principal.subject];
    const key = JSON.stringify([recordAs.tenantId, ...caller, request.method, request.route, reason ?? '', required]);
    // Only what the summary repeats is kept (not the request's other headers, e.g. its token).
    const userAgent = request.headers['user-agent'];
    const kept: SelfAuditRequest = { method: request.method, route: request.route, ip: request.ip, headers: typeof userAgent === 'string' ? { 'user-agent': userAgent } : {}, query: {} };
    const sample: DenialSample = { principal: recordAs, request: kept, channel, required, reason };
    const { record, evicted } = this.repeatedDenials.admit(key, sample, requestedTenant);
    if (evicted) await this.recordRepeatedDenials([evicted]);
    if (!record) return;
    await this.record(recordAs, request, {
      action: 'access.denied',
      outcome: 'denied',
      resource: { type: 'route', id: `${request.method} ${request.route}`.slice(0, 256) },
      channel,
      detail: { requiredAnyOf: required, ...(reason ? { reason } : {}), ...(requestedTenant ? { requestedTenant } : {}) },
    });
  }

  private async recordRepeatedDenials(summaries: RepeatedDenialSummary<DenialSample>[]): Promise<void> {
    for (const summary of summaries) {
      const { principal, request, channel, required, reason } = summary.sample;
      try {
        await this.record(principal, request, {
          action: 'access.denied',
          outcome: 'denied',
          resource: { type: 'route', id: `${request.method} ${request.route}`.slice(0, 256) },
          channel,
          detail: {
            requiredAnyOf: required,
            ...(reason ? { reason } : {}),
            // How many further identical denials this one record stands for (monitoring counts it).
            recordCount: summary.count,
            repeated: {
              count: summary.count,
              firstAt: summary.firstRepeatAt.toISOString(),
              lastAt: summary.lastRepeatAt.toISOString(),
              windowStart: summary.windowStart.toISOString(),
              windowEnd: summary.windowEnd.toISOString(),
              ...(summary.notes.length ? { requestedTenants: summary.notes } : {}),
            },
          },
        });
      } catch (error) {
        this.logger.error({ msg: 'could not record a summary of repeated access denials', tenantId: principal.tenantId, count: summary.count, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  /** Whether the tenant has an audit log (at least one event). Only positive answers are cached. */
  private async hasAuditLog(tenantId: string): Promise<boolean> {
    if (this.knownTenants.has(tenantId)) return true;
    const exists = (await this.events.readStream(auditStreamOf(tenantId), { maxCount: 1 })).length > 0;
    if (exists) {
      if (this.knownTenants.size >= KNOWN_TENANTS_KEPT) this.knownTenants.clear();
      this.knownTenants.add(tenantId);
    }
    return exists;
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
    const query = boundedQuery(request.query);
    const input: AuditEventInput = {
      occurredAt: new Date().toISOString(),
      actor: {
        id: principal.subject,
        type: principal.actorType,
        ...(principal.roles.length ? { role: principal.roles.join(',').slice(0, 128) } : {}),
        ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
        ...(request.ip ? { ip: request.ip } : {}),
        ...(typeof userAgent === 'string' && userAgent !== '' ? { userAgent: boundedText(userAgent, MAX_USER_AGENT_LENGTH) } : {}),
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
        query: query.query,
        ...(query.truncated ? { queryTruncated: true } : {}),
        ...event.detail,
        // A platform administrator acting here under a grant: this record is in the target tenant's log.
        ...(principal.crossTenant ? { crossTenant: { fromTenant: principal.crossTenant.fromTenant, grantIds: principal.crossTenant.grantIds } } : {}),
        // A platform operator administering this tenant's account (ADR 025): recorded here, named with its home tenant.
        ...(principal.platformOperator ? { platformOperator: { fromTenant: principal.platformOperator.fromTenant } } : {}),
      },
    };
    await this.writer.record(principal.tenantId, [input]);
  }
}

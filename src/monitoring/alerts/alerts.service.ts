import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../../auth/principal';
import { decideAndProject } from '../../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { aggregateStreamOf } from '../../event-store/stream-names';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { Filter, READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { MONITORING_PROJECTION } from '../engine/monitoring-engine.read-model';
import { ALERTS, AlertDocument, AlertView, toAlertView } from './alert';
import { AlertNotFoundError, alertTriageDecider, decodeAlertTriageEvent, statusAfter, TriageAction } from './alert-triage';
import { ListAlertsParams } from './list-alerts.params';

export const ALERT_ID_PATTERN = /^[0-9a-f]{32}$/;
/** How long a triage step waits for the engine to show it (it is recorded either way). */
export const TRIAGE_PROJECTION_WAIT_MS = 5000;

const CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|[0-9a-f]{32}$/;

/** Alerts of the caller's tenant (read model of the rules engine) and their triage (event-sourced per alert). */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger('Alerts');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
  ) {}

  async list(principal: Principal, params: ListAlertsParams): Promise<{ items: AlertView[]; nextCursor: string | null }> {
    const and: Filter[] = [{ tenantId: principal.tenantId }];
    if (params.status) and.push({ status: params.status });
    if (params.severity) and.push({ severity: params.severity });
    if (params.ruleId) and.push({ ruleId: params.ruleId });
    if (params.from) and.push({ raisedAt: { $gte: new Date(params.from).toISOString() } });
    if (params.to) and.push({ raisedAt: { $lt: new Date(params.to).toISOString() } });
    if (params.cursor) {
      const [raisedAt, id] = decodeCursor(params.cursor);
      and.push({ $or: [{ raisedAt: { $lt: raisedAt } }, { raisedAt, id: { $lt: id } }] });
    }
    const docs = (await this.store.find(ALERTS, { $and: and }, { sort: [['raisedAt', -1], ['id', -1]], limit: params.limit + 1 })) as unknown as AlertDocument[];
    const page = docs.slice(0, params.limit).filter((d) => d.tenantId === principal.tenantId);
    const last = page[page.length - 1];
    return { items: page.map(toAlertView), nextCursor: docs.length > params.limit && last ? encodeCursor(last) : null };
  }

  async get(principal: Principal, alertId: string): Promise<AlertView> {
    return toAlertView(await this.document(principal, alertId));
  }

  /** One triage step on `alert-<tenant>-<id>`; answers the alert as it is after the step. */
  async triage(principal: Principal, alertId: string, action: TriageAction, note: string | undefined, now = new Date()): Promise<{ alert: AlertView; before: string; after: string }> {
    const alert = await this.document(principal, alertId);
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: aggregateStreamOf('alert', principal.tenantId, alertId),
      decider: alertTriageDecider,
      decode: decodeAlertTriageEvent,
      command: { action, tenantId: principal.tenantId, alertId, by: principal.subject, now, ...(note !== undefined ? { note } : {}) },
      projection: MONITORING_PROJECTION,
      waitMs: TRIAGE_PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { alert: alertId },
    });
    const current = await this.document(principal, alertId);
    const step = result.events[0];
    // If the engine has not applied the step yet, answer with it applied (it is recorded).
    const applied = current.history.some((h) => h.at === step.data.at && h.by === step.data.by && h.status === statusAfter(step));
    const view = applied ? current : { ...current, status: result.after.status, updatedAt: step.data.at, history: [...current.history, { at: step.data.at, by: step.data.by, status: result.after.status, ...(note !== undefined ? { note } : {}) }] };
    return { alert: toAlertView(view), before: alert.status, after: result.after.status };
  }

  private async document(principal: Principal, alertId: string): Promise<AlertDocument> {
    const doc = (await this.store.findById(ALERTS, alertId)) as AlertDocument | null;
    if (!doc || doc.tenantId !== principal.tenantId) throw new AlertNotFoundError(alertId);
    return doc;
  }
}

function encodeCursor(doc: AlertDocument): string {
  return Buffer.from(JSON.stringify({ v: 1, k: `${doc.raisedAt}|${doc.id}` })).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown };
    if (parsed.v === 1 && typeof parsed.k === 'string' && CURSOR.test(parsed.k)) return parsed.k.split('|') as [string, string];
  } catch {
    // fall through
  }
  throw new BadRequestException('cursor is not one this API issued');
}

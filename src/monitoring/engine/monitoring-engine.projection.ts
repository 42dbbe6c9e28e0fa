import { Injectable } from '@nestjs/common';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../../audit-log/audit-event';
import { RecordedEvent } from '../../event-store/event-store.port';
import { aggregateStreamPrefix, AUDIT_STREAM_PREFIX } from '../../event-store/stream-names';
import { Projection, ProjectionWriter } from '../../projections/projection';
import { ReadModelProjection } from '../../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../../read-store/read-store.port';
import { ALERTS, ALERTS_COLLECTION, AlertDocument, auditLogLinkOf, groupKeyOfAlert } from '../alerts/alert';
import { decodeAlertTriageEvent, isAlertTriageEvent, statusAfter } from '../alerts/alert-triage';
import { EMPTY_GROUP_STATE, Evaluation, evaluate, groupKeyString, groupOfEvent, MAX_ALERT_EVENT_IDS } from '../evaluation/rule-evaluator';
import { MonitoringRule } from '../rules/monitoring-rule';
import { effectiveRules } from '../rules/monitoring-rules.read-model';
import { RULE_STREAM_PREFIX } from '../rules/rule-stream';
import { decodeRuleEvent, isRuleEvent, MONITORING_RULE_DELETED } from '../rules/rule.events';
import {
  MONITORING_PROJECTION,
  MONITORING_RULE_SETS,
  MONITORING_WINDOWS,
  RULE_SETS_COLLECTION,
  RuleSetDocument,
  WINDOWS_COLLECTION,
  WindowDocument,
  windowDocumentId,
} from './monitoring-engine.read-model';

const ALERT_STREAM_PREFIX = aggregateStreamPrefix('alert');

/**
 * The rules engine: a process manager on its own checkpointed subscription to every tenant's audit
 * stream (and to the rule and alert streams, for configuration and triage). Window state and alerts
 * are this projection's read models, committed with its checkpoint in one transaction (SQLite) or
 * position-guarded (MongoDB): after a crash the batch is re-applied from the checkpoint, and since
 * alert ids are deterministic and writes are guarded, no alert is lost and none is raised twice.
 */
@ReadModelProjection()
@Injectable()
export class MonitoringEngineProjection implements Projection {
  readonly definition: ProjectionDefinition = { name: MONITORING_PROJECTION, version: 1, collections: [RULE_SETS_COLLECTION, WINDOWS_COLLECTION, ALERTS_COLLECTION] };
  readonly streamPrefixes = [AUDIT_STREAM_PREFIX, RULE_STREAM_PREFIX, ALERT_STREAM_PREFIX];

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (recorded.type === AUDIT_EVENT_RECORDED && recorded.stream.startsWith(AUDIT_STREAM_PREFIX)) return this.evaluate(recorded, writer);
    if (isRuleEvent(recorded)) return this.applyRuleChange(recorded, writer);
    if (isAlertTriageEvent(recorded)) return this.applyTriage(recorded, writer);
  }

  private async evaluate(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const event = recorded.data as unknown as StoredAuditEvent;
    const ruleSet = (await writer.get(MONITORING_RULE_SETS, event.tenantId)) as RuleSetDocument | null;
    const stored = Object.values(ruleSet?.rules ?? {}).filter((r): r is MonitoringRule => r !== null);
    for (const rule of effectiveRules(stored)) {
      const groupKey = groupOfEvent(rule, event);
      if (!groupKey) continue;
      // A plain match rule without suppression needs no memory between events.
      const stateless = rule.condition.type === 'match' && rule.suppressionSeconds === 0;
      const windowId = windowDocumentId(event.tenantId, rule.id, groupKeyString(groupKey));
      const window = stateless ? null : ((await writer.get(MONITORING_WINDOWS, windowId)) as WindowDocument | null);
      const { state, evaluation } = evaluate(rule, event, groupKey, window?.state ?? EMPTY_GROUP_STATE);
      if (!stateless && state !== (window?.state ?? EMPTY_GROUP_STATE)) {
        if (state.pending.length === 0 && state.openAlert === null) writer.delete(MONITORING_WINDOWS, windowId);
        else writer.put(MONITORING_WINDOWS, { id: windowId, tenantId: event.tenantId, ruleId: rule.id, state } satisfies WindowDocument);
      }
      await this.record(evaluation, rule, event, recorded, writer);
    }
  }

  private async record(evaluation: Evaluation, rule: MonitoringRule, event: StoredAuditEvent, recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const at = recorded.recordedAt.toISOString();
    if (evaluation.kind === 'raise') {
      const { groupKey, ...raised } = evaluation.alert;
      const alert: AlertDocument = {
        ...raised,
        groupFields: Object.entries(groupKey).map(([field, value]) => ({ field, value })),
        tenantId: event.tenantId,
        status: 'open',
        auditLogLink: auditLogLinkOf(evaluation.alert, rule.match),
        raisedAt: at,
        updatedAt: at,
        history: [{ at, by: 'system', status: 'open' }],
      };
      writer.put(ALERTS, alert);
    } else if (evaluation.kind === 'join') {
      const alert = (await writer.get(ALERTS, evaluation.alertId)) as AlertDocument | null;
      if (!alert) return;
      const firstEventAt = evaluation.occurredAt < alert.firstEventAt ? evaluation.occurredAt : alert.firstEventAt;
      const lastEventAt = evaluation.occurredAt > alert.lastEventAt ? evaluation.occurredAt : alert.lastEventAt;
      const joined: AlertDocument = {
        ...alert,
        firstEventAt,
        lastEventAt,
        eventCount: alert.eventCount + 1,
        recordCount: alert.recordCount + evaluation.weight,
        eventIds: alert.eventIds.length < MAX_ALERT_EVENT_IDS ? [...alert.eventIds, evaluation.eventId] : alert.eventIds,
        auditLogLink: auditLogLinkOf({ groupKey: groupKeyOfAlert(alert), firstEventAt, lastEventAt }, rule.match),
        updatedAt: at,
      };
      writer.put(ALERTS, joined);
    }
  }

  private async applyRuleChange(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const event = decodeRuleEvent(recorded);
    const current = (await writer.get(MONITORING_RULE_SETS, event.data.tenantId)) as RuleSetDocument | null;
    const rule = event.type === MONITORING_RULE_DELETED ? null : event.data.rule;
    writer.put(MONITORING_RULE_SETS, { id: event.data.tenantId, rules: { ...(current?.rules ?? {}), [event.data.ruleId]: rule } } satisfies RuleSetDocument);
  }

  /** A triage step updates the alert; once resolved or dismissed, later matches no longer join it. */
  private async applyTriage(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const event = decodeAlertTriageEvent(recorded);
    const alert = (await writer.get(ALERTS, event.data.alertId)) as AlertDocument | null;
    if (!alert || alert.tenantId !== event.data.tenantId) return;
    const status = statusAfter(event);
    writer.put(ALERTS, {
      ...alert,
      status,
      updatedAt: event.data.at,
      history: [...alert.history, { at: event.data.at, by: event.data.by, status, ...(event.data.note !== undefined ? { note: event.data.note } : {}) }],
    } satisfies AlertDocument);
    if (status !== 'resolved' && status !== 'dismissed') return;
    const windowId = windowDocumentId(alert.tenantId, alert.ruleId, groupKeyString(groupKeyOfAlert(alert)));
    const window = (await writer.get(MONITORING_WINDOWS, windowId)) as WindowDocument | null;
    if (window?.state.openAlert?.id === alert.id) writer.put(MONITORING_WINDOWS, { ...window, state: { ...window.state, openAlert: null } });
  }
}

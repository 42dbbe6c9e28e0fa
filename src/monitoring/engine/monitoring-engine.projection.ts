import { Injectable } from '@nestjs/common';
import { AUDIT_EVENT_RECORDED, StoredAuditEvent } from '../../audit-log/audit-event';
import { RecordedEvent } from '../../event-store/event-store.port';
import { aggregateStreamPrefix, AUDIT_STREAM_PREFIX, RETENTION_STREAM_PREFIX } from '../../event-store/stream-names';
import { RETENTION_EVENTS_EXPIRED, RetentionEventsExpired } from '../../retention/retention-policy';
import { Projection, ProjectionWriter } from '../../projections/projection';
import { ReadModelProjection } from '../../projections/read-model-projection.decorator';
import { ProjectionDefinition } from '../../read-store/read-store.port';
import { ALERTS, ALERTS_COLLECTION, AlertDocument, auditLogLinkOf, groupKeyOfAlert } from '../alerts/alert';
import { ALERT_EVENTS, ALERT_EVENTS_COLLECTION, alertEventDocument, AlertMember } from '../alerts/alert-events';
import { chunkIdsBetween, EvaluatedChunkDocument, evaluatedChunkIdOf, EVALUATED_EVENTS, EVALUATED_EVENTS_COLLECTION, withEvaluatedEvent, withoutSequences } from './evaluated-events';
import { decodeAlertTriageEvent, isAlertTriageEvent, statusAfter } from '../alerts/alert-triage';
import { EMPTY_GROUP_STATE, Evaluation, evaluate, groupKeyString, groupOfEvent, MAX_ALERT_EVENT_IDS, RaisedAlert, raisedAlertOf } from '../evaluation/rule-evaluator';
import { inTenantTimezone, MonitoringRule } from '../rules/monitoring-rule';
import { tenantConfigStreamPrefix } from '../../tenant-settings/tenant-config-stream';
import { decodeTenantSettingsEvent, TENANT_SETTINGS_UPDATED } from '../../tenant-settings/tenant-settings.events';
import { DEFAULT_TENANT_TIMEZONE } from '../../tenant-settings/tenant-settings.port';
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

/** What the engine owns of an alert: everything but its triage. */
type AlertSnapshot = Omit<AlertDocument, 'status' | 'history'>;

function newAlert(raised: RaisedAlert, tenantId: string, rule: MonitoringRule, at: string, position: string): AlertDocument {
  const { groupKey, ...rest } = raised;
  return {
    ...rest,
    tenantId,
    groupFields: Object.entries(groupKey).map(([field, value]) => ({ field, value })),
    status: 'open',
    auditLogLink: auditLogLinkOf(raised),
    raisedAt: at,
    updatedAt: at,
    history: [{ at, by: 'system', status: 'open' }],
    raisedPosition: position,
    changePosition: position,
  };
}

function putMembers(writer: ProjectionWriter, tenantId: string, alertId: string, members: readonly AlertMember[]): void {
  for (const member of members) writer.put(ALERT_EVENTS, alertEventDocument(tenantId, alertId, member));
}

function snapshotOf(alert: AlertDocument): AlertSnapshot {
  const { status: _status, history: _history, ...snapshot } = alert;
  return snapshot;
}

function snapshotOrNull(alert: AlertDocument | null): AlertSnapshot | null {
  return alert ? snapshotOf(alert) : null;
}

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
  readonly definition: ProjectionDefinition = { name: MONITORING_PROJECTION, version: 4, collections: [RULE_SETS_COLLECTION, WINDOWS_COLLECTION, ALERTS_COLLECTION, ALERT_EVENTS_COLLECTION, EVALUATED_EVENTS_COLLECTION] };
  readonly streamPrefixes = [AUDIT_STREAM_PREFIX, RULE_STREAM_PREFIX, ALERT_STREAM_PREFIX, tenantConfigStreamPrefix('tenant_settings'), RETENTION_STREAM_PREFIX];

  async apply(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    if (recorded.type === AUDIT_EVENT_RECORDED && recorded.stream.startsWith(AUDIT_STREAM_PREFIX)) return this.evaluate(recorded, writer);
    if (isRuleEvent(recorded)) return this.applyRuleChange(recorded, writer);
    if (isAlertTriageEvent(recorded)) return this.applyTriage(recorded, writer);
    if (recorded.type === TENANT_SETTINGS_UPDATED) return this.applyTenantSettings(recorded, writer);
    if (recorded.type === RETENTION_EVENTS_EXPIRED) {
      // Retention expired these events from the log (ADR 025): backtests no longer see them either.
      const { tenantId, fromSequence, toSequence } = recorded.data as unknown as RetentionEventsExpired;
      for (const id of chunkIdsBetween(tenantId, fromSequence, toSequence)) {
        const chunk = (await writer.get(EVALUATED_EVENTS, id)) as EvaluatedChunkDocument | null;
        if (!chunk) continue;
        const kept = withoutSequences(chunk, fromSequence, toSequence);
        if (kept) writer.put(EVALUATED_EVENTS, kept);
        else writer.delete(EVALUATED_EVENTS, id);
      }
    }
  }

  /** The tenant's timezone, for outside_hours rules without one of their own: applies to the audit events after the change. */
  private async applyTenantSettings(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const { tenantId, settings } = decodeTenantSettingsEvent(recorded).data;
    const current = (await writer.get(MONITORING_RULE_SETS, tenantId)) as RuleSetDocument | null;
    writer.put(MONITORING_RULE_SETS, { id: tenantId, rules: current?.rules ?? {}, timezone: settings.timezone } satisfies RuleSetDocument);
  }

  private async evaluate(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const event = recorded.data as unknown as StoredAuditEvent;
    const chunk = (await writer.get(EVALUATED_EVENTS, evaluatedChunkIdOf(event.tenantId, event.sequence))) as EvaluatedChunkDocument | null;
    const withEvent = withEvaluatedEvent(chunk, event);
    if (withEvent !== chunk) writer.put(EVALUATED_EVENTS, withEvent);
    const ruleSet = (await writer.get(MONITORING_RULE_SETS, event.tenantId)) as RuleSetDocument | null;
    const stored = Object.values(ruleSet?.rules ?? {}).filter((r): r is MonitoringRule => r !== null);
    const at = recorded.recordedAt.toISOString();
    const timezone = ruleSet?.timezone ?? DEFAULT_TENANT_TIMEZONE;
    for (const stated of effectiveRules(stored)) {
      const rule = inTenantTimezone(stated, timezone);
      const groupKey = groupOfEvent(rule, event);
      if (!groupKey) continue;
      // A plain match rule without suppression needs no memory between events: its alert depends on the event alone.
      if (rule.condition.type === 'match' && rule.suppressionSeconds === 0) {
        const { evaluation } = evaluate(rule, event, groupKey, EMPTY_GROUP_STATE);
        if (evaluation.kind === 'raise') {
          writer.put(ALERTS, newAlert(raisedAlertOf(rule, groupKey, evaluation), event.tenantId, rule, at, recorded.position));
          putMembers(writer, event.tenantId, evaluation.alertId, evaluation.members.map(({ sequence, at }) => ({ sequence, at })));
        }
        continue;
      }
      const windowId = windowDocumentId(event.tenantId, rule.id, groupKeyString(groupKey));
      const window = (await writer.get(MONITORING_WINDOWS, windowId)) as WindowDocument | null;
      if (window && window.appliedPosition >= recorded.position) {
        // Replay of a batch whose commit stopped half-way (stores without multi-document transactions):
        // this event is already in the window; only the alert write it made may be missing.
        if (window.alert && window.alertPosition === recorded.position) {
          await this.putAlert(window.alert, writer);
          putMembers(writer, event.tenantId, window.alert.id, window.alertMembers ?? []);
        }
        continue;
      }
      const { state, evaluation } = evaluate(rule, event, groupKey, window?.state ?? EMPTY_GROUP_STATE);
      let alert: AlertSnapshot | null = null;
      if (evaluation.kind === 'raise') alert = snapshotOf(newAlert(raisedAlertOf(rule, groupKey, evaluation), event.tenantId, rule, at, recorded.position));
      else if (evaluation.kind === 'join') alert = await this.joined(window?.alert ?? null, evaluation, rule, at, recorded.position, writer);
      const members: AlertMember[] = evaluation.kind === 'raise' ? evaluation.members.map(({ sequence, at }) => ({ sequence, at })) : evaluation.kind === 'join' ? [{ sequence: evaluation.sequence, at: evaluation.at }] : [];
      if (alert) {
        await this.putAlert(alert, writer);
        putMembers(writer, event.tenantId, alert.id, members);
      }
      // Kept even when empty: `appliedPosition` is what recognises a replayed event.
      writer.put(MONITORING_WINDOWS, {
        id: windowId,
        tenantId: event.tenantId,
        ruleId: rule.id,
        state,
        appliedPosition: recorded.position,
        alert: alert ?? window?.alert ?? null,
        alertPosition: alert ? recorded.position : (window?.alertPosition ?? null),
        alertMembers: alert ? members : (window?.alertMembers ?? []),
      } satisfies WindowDocument);
    }
  }

  /** The alert's engine-owned fields after a suppressed match joined it. */
  private async joined(
    previous: AlertSnapshot | null,
    join: Extract<Evaluation, { kind: 'join' }>,
    rule: MonitoringRule,
    at: string,
    position: string,
    writer: ProjectionWriter,
  ): Promise<AlertSnapshot | null> {
    const base = previous?.id === join.alertId ? previous : snapshotOrNull((await writer.get(ALERTS, join.alertId)) as AlertDocument | null);
    if (!base) return null;
    const occurredAt = new Date(join.at).toISOString();
    const firstEventAt = occurredAt < base.firstEventAt ? occurredAt : base.firstEventAt;
    const lastEventAt = occurredAt > base.lastEventAt ? occurredAt : base.lastEventAt;
    return {
      ...base,
      firstEventAt,
      lastEventAt,
      eventCount: base.eventCount + 1,
      recordCount: base.recordCount + join.weight,
      eventIds: base.eventIds.length < MAX_ALERT_EVENT_IDS ? [...base.eventIds, join.eventId] : base.eventIds,
      auditLogLink: auditLogLinkOf({ id: base.id, firstEventAt, lastEventAt }),
      updatedAt: at,
      changePosition: position,
    };
  }

  /** Writes the engine-owned fields of an alert, keeping its triage (status, history) as stored. */
  private async putAlert(alert: AlertSnapshot, writer: ProjectionWriter): Promise<void> {
    const current = (await writer.get(ALERTS, alert.id)) as AlertDocument | null;
    const triage = current ? { status: current.status, history: current.history } : { status: 'open' as const, history: [{ at: alert.raisedAt, by: 'system', status: 'open' as const }] };
    writer.put(ALERTS, { ...alert, ...triage } satisfies AlertDocument);
  }

  private async applyRuleChange(recorded: RecordedEvent, writer: ProjectionWriter): Promise<void> {
    const event = decodeRuleEvent(recorded);
    const current = (await writer.get(MONITORING_RULE_SETS, event.data.tenantId)) as RuleSetDocument | null;
    const rule = event.type === MONITORING_RULE_DELETED ? null : event.data.rule;
    writer.put(MONITORING_RULE_SETS, {
      id: event.data.tenantId,
      rules: { ...(current?.rules ?? {}), [event.data.ruleId]: rule },
      ...(current?.timezone !== undefined ? { timezone: current.timezone } : {}),
    } satisfies RuleSetDocument);
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
      changePosition: recorded.position,
      history: [...alert.history, { at: event.data.at, by: event.data.by, status, ...(event.data.note !== undefined ? { note: event.data.note } : {}) }],
    } satisfies AlertDocument);
    if (status !== 'resolved' && status !== 'dismissed') return;
    const windowId = windowDocumentId(alert.tenantId, alert.ruleId, groupKeyString(groupKeyOfAlert(alert)));
    const window = (await writer.get(MONITORING_WINDOWS, windowId)) as WindowDocument | null;
    if (window?.state.openAlert?.id === alert.id) writer.put(MONITORING_WINDOWS, { ...window, state: { ...window.state, openAlert: null } });
  }
}

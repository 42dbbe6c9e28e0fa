import { CollectionDefinition } from '../../read-store/read-store.port';
import { RaisedAlert } from '../evaluation/rule-evaluator';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertHistoryEntry {
  at: string;
  /** Token `sub` of who triaged, or `system` for the raise. */
  by: string;
  status: AlertStatus;
  note?: string;
}

/**
 * Stored form: the group key as {field, value} entries, because its field names contain "." (which
 * MongoDB documents should not use as keys; nested arrays are refused by FerretDB).
 */
export interface AlertDocument extends Omit<RaisedAlert, 'groupKey'> {
  tenantId: string;
  groupFields: Array<{ field: string; value: string }>;
  status: AlertStatus;
  auditLogLink: string;
  /** When the triggering event was recorded (deterministic on replay). */
  raisedAt: string;
  updatedAt: string;
  history: AlertHistoryEntry[];
  /** Log position of the event that raised the alert. */
  raisedPosition: string;
  /** Log position of the event behind the alert's latest change (raise, join, triage): the change feed's order. */
  changePosition: string;
}

export type AlertView = Omit<AlertDocument, 'tenantId' | 'groupFields' | 'raisedPosition' | 'changePosition'> & { groupKey: Record<string, string> };

export function groupKeyOfAlert(doc: Pick<AlertDocument, 'groupFields'>): Record<string, string> {
  return Object.fromEntries(doc.groupFields.map((g) => [g.field, g.value]));
}

/** The API shape of ARCHITECTURE §7, in its field order. */
export function toAlertView(doc: AlertDocument): AlertView {
  return {
    id: doc.id,
    ruleId: doc.ruleId,
    ruleVersion: doc.ruleVersion,
    severity: doc.severity,
    title: doc.title,
    status: doc.status,
    groupKey: groupKeyOfAlert(doc),
    firstEventAt: doc.firstEventAt,
    lastEventAt: doc.lastEventAt,
    eventCount: doc.eventCount,
    recordCount: doc.recordCount,
    eventIds: doc.eventIds,
    auditLogLink: doc.auditLogLink,
    raisedAt: doc.raisedAt,
    updatedAt: doc.updatedAt,
    history: doc.history,
  };
}

export const ALERTS = 'monitoring_alerts';

export const ALERTS_COLLECTION: CollectionDefinition = {
  name: ALERTS,
  fields: { tenantId: 'string', status: 'string', severity: 'string', ruleId: 'string', raisedAt: 'string', changePosition: 'string' },
  indexes: [
    { name: 'by_change', keys: [['changePosition', 1], ['id', 1]] },
    { name: 'by_tenant_raised', keys: [['tenantId', 1], ['raisedAt', -1]] },
    { name: 'by_tenant_status_raised', keys: [['tenantId', 1], ['status', 1], ['raisedAt', -1]] },
  ],
};

/**
 * `/v1/audit-events?alertId=…` listing exactly the alert's events (ALERT_EVENTS), whatever the rule's
 * scope; `from`/`to` (its first event to just after its last) only say which period that is.
 */
export function auditLogLinkOf(alert: Pick<RaisedAlert, 'id' | 'firstEventAt' | 'lastEventAt'>): string {
  const params = new URLSearchParams();
  params.set('alertId', alert.id);
  params.set('from', alert.firstEventAt);
  params.set('to', new Date(Date.parse(alert.lastEventAt) + 1).toISOString());
  params.set('limit', '500');
  return `/v1/audit-events?${params.toString()}`;
}

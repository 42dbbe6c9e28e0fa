import { sortKeyOf } from '../../audit-log/audit-log.read-model';
import { CollectionDefinition } from '../../read-store/read-store.port';

/**
 * Which audit events belong to which alert: one row per (alert, event), every event (an alert's
 * `eventIds` keep only the first 100). The audit-log list reads it for `?alertId=`, the alert's
 * `auditLogLink`, so that the link lists exactly the alert's events whatever the rule's scope
 * (wildcard actions, sensitivities, business hours) — which the list's own filters cannot express.
 */
export const ALERT_EVENTS = 'monitoring_alert_events';

export interface AlertEventDocument {
  /** `<alertId>/<sequence>`: writing a member twice (a replayed batch) is harmless. */
  id: string;
  tenantId: string;
  alertId: string;
  sequence: number;
  /** The audit-log list's sort key of the event (occurredAt|sequence), to page members newest first. */
  sortKey: string;
}

export const ALERT_EVENTS_COLLECTION: CollectionDefinition = {
  name: ALERT_EVENTS,
  fields: { tenantId: 'string', alertId: 'string', sortKey: 'string' },
  indexes: [{ name: 'by_alert', keys: [['tenantId', 1], ['alertId', 1], ['sortKey', -1]] }],
};

/** An event of an alert: its sequence and occurredAt in epoch milliseconds (as the evaluator keeps them). */
export interface AlertMember {
  sequence: number;
  at: number;
}

export function alertEventDocument(tenantId: string, alertId: string, member: AlertMember): AlertEventDocument {
  return {
    id: `${alertId}/${member.sequence}`,
    tenantId,
    alertId,
    sequence: member.sequence,
    // occurredAt is stored as toISOString() (the validator normalises it), so this is the event's own sort key.
    sortKey: sortKeyOf(new Date(member.at).toISOString(), member.sequence),
  };
}

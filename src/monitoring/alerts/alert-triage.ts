import { Decider, DomainEvent } from '../../event-sourcing/decider';
import { RecordedEvent } from '../../event-store/event-store.port';
import { AlertStatus } from './alert';

/** Stable, versioned event types of an alert's triage stream (`alert-<tenantId>-<alertId>`). */
export const ALERT_ACKNOWLEDGED = 'AlertAcknowledged.v1';
export const ALERT_RESOLVED = 'AlertResolved.v1';
export const ALERT_DISMISSED = 'AlertDismissed.v1';

interface TriageFacts {
  tenantId: string;
  alertId: string;
  by: string;
  at: string;
  note?: string;
}

export type AlertTriageEvent =
  | DomainEvent<typeof ALERT_ACKNOWLEDGED, TriageFacts>
  | DomainEvent<typeof ALERT_RESOLVED, TriageFacts>
  | DomainEvent<typeof ALERT_DISMISSED, TriageFacts>;

export const TRIAGE_ACTIONS = ['acknowledge', 'resolve', 'dismiss'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];

const EVENT_OF: Record<TriageAction, AlertTriageEvent['type']> = { acknowledge: ALERT_ACKNOWLEDGED, resolve: ALERT_RESOLVED, dismiss: ALERT_DISMISSED };
const STATUS_OF: Record<AlertTriageEvent['type'], AlertStatus> = { [ALERT_ACKNOWLEDGED]: 'acknowledged', [ALERT_RESOLVED]: 'resolved', [ALERT_DISMISSED]: 'dismissed' };

export function statusAfter(event: Pick<AlertTriageEvent, 'type'>): AlertStatus {
  return STATUS_OF[event.type];
}

export function isAlertTriageEvent(recorded: Pick<RecordedEvent, 'type'>): boolean {
  return recorded.type in STATUS_OF;
}

export function decodeAlertTriageEvent(recorded: RecordedEvent): AlertTriageEvent {
  if (!isAlertTriageEvent(recorded)) throw new Error(`Unknown event type ${recorded.type} in alert stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as AlertTriageEvent;
}

/** 409: the step is not allowed from the alert's status. */
export class AlertTransitionError extends Error {
  constructor(
    readonly alertId: string,
    readonly from: AlertStatus,
    readonly action: TriageAction,
  ) {
    super(`Alert ${alertId} is ${from}: it cannot be ${action === 'dismiss' ? 'dismissed' : `${action}d`}`);
    this.name = 'AlertTransitionError';
  }
}

/** 404: no such alert in the caller's tenant. */
export class AlertNotFoundError extends Error {
  constructor(readonly alertId: string) {
    super(`No alert ${alertId} in your tenant`);
    this.name = 'AlertNotFoundError';
  }
}

export interface TriageCommand {
  action: TriageAction;
  tenantId: string;
  alertId: string;
  by: string;
  now: Date;
  note?: string;
}

/** open → acknowledged → resolved | dismissed; open may also be resolved or dismissed directly. Resolved and dismissed are final. */
export const alertTriageDecider: Decider<TriageCommand, { status: AlertStatus }, AlertTriageEvent> = {
  initialState: { status: 'open' },
  decide(command, state) {
    const allowed = command.action === 'acknowledge' ? state.status === 'open' : state.status === 'open' || state.status === 'acknowledged';
    if (!allowed) throw new AlertTransitionError(command.alertId, state.status, command.action);
    const data: TriageFacts = { tenantId: command.tenantId, alertId: command.alertId, by: command.by, at: command.now.toISOString(), ...(command.note !== undefined ? { note: command.note } : {}) };
    return [{ type: EVENT_OF[command.action], data }];
  },
  evolve: (_state, event) => ({ status: statusAfter(event) }),
};

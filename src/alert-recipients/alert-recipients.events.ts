import { DomainEvent } from '../event-sourcing/decider';
import { RecordedEvent } from '../event-store/event-store.port';
import { AlertRecipients } from './alert-recipients';

/** Stable, versioned event type of the alert recipients stream (`alert_recipients-<tenantId>`). */
export const ALERT_RECIPIENTS_UPDATED = 'AlertRecipientsUpdated.v1';

/** Carries the whole configuration as it is after the change. */
export type AlertRecipientsUpdated = DomainEvent<typeof ALERT_RECIPIENTS_UPDATED, { tenantId: string; recipients: AlertRecipients }>;
export type AlertRecipientsEvent = AlertRecipientsUpdated;

export function decodeAlertRecipientsEvent(recorded: RecordedEvent): AlertRecipientsEvent {
  if (recorded.type !== ALERT_RECIPIENTS_UPDATED) throw new Error(`Unknown event type ${recorded.type} in alert recipients stream ${recorded.stream}`);
  return { type: recorded.type, data: recorded.data } as unknown as AlertRecipientsEvent;
}

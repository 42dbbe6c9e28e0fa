import { Decider } from '../event-sourcing/decider';
import { AlertRecipients, AlertRecipientsValues, DEFAULT_ALERT_RECIPIENTS } from './alert-recipients';
import { ALERT_RECIPIENTS_UPDATED, AlertRecipientsEvent } from './alert-recipients.events';

export interface ReplaceAlertRecipients {
  tenantId: string;
  /** Token `sub` of the caller. */
  by: string;
  now: Date;
  recipients: AlertRecipientsValues;
}

const same = (a: AlertRecipientsValues, b: AlertRecipientsValues) =>
  a.minSeverity === b.minSeverity && JSON.stringify([...a.userIds].sort()) === JSON.stringify([...b.userIds].sort()) && JSON.stringify([...a.roles].sort()) === JSON.stringify([...b.roles].sort());

/** A tenant's alert recipients: the §8 default until replaced; a replacement that changes nothing writes nothing. */
export const alertRecipientsDecider: Decider<ReplaceAlertRecipients, AlertRecipients, AlertRecipientsEvent> = {
  initialState: DEFAULT_ALERT_RECIPIENTS,
  decide(command, state) {
    if (same(command.recipients, state)) return [];
    const recipients: AlertRecipients = { ...command.recipients, version: state.version + 1, updatedAt: command.now.toISOString(), updatedBy: command.by };
    return [{ type: ALERT_RECIPIENTS_UPDATED, data: { tenantId: command.tenantId, recipients } }];
  },
  evolve: (_state, event) => event.data.recipients,
};

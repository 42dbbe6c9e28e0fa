import { CollectionDefinition } from '../read-store/read-store.port';
import { AlertRecipients } from './alert-recipients';

export const ALERT_RECIPIENTS_PROJECTION = 'alert_recipients';
export const ALERT_RECIPIENTS_COLLECTION_NAME = 'alert_recipients';

/** One document per tenant that ever replaced its recipients; `id` is the tenant id. */
export interface AlertRecipientsDocument {
  id: string;
  tenantId: string;
  recipients: AlertRecipients;
}

export const ALERT_RECIPIENTS_COLLECTION: CollectionDefinition = { name: ALERT_RECIPIENTS_COLLECTION_NAME, fields: { tenantId: 'string' }, indexes: [] };

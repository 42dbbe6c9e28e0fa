import { foldEvents } from '../event-sourcing/decider';
import { alertRecipientsOf, DEFAULT_ALERT_RECIPIENTS } from './alert-recipients';
import { alertRecipientsDecider } from './alert-recipients.decider';
import { ALERT_RECIPIENTS_UPDATED } from './alert-recipients.events';
import { RequestValidationError } from '../http/request-validation.error';

const now = new Date('2026-11-28T10:00:00.000Z');
const command = (recipients: Partial<typeof DEFAULT_ALERT_RECIPIENTS>, by = 'alice') => ({
  tenantId: 'acme',
  by,
  now,
  recipients: { userIds: [], roles: [], minSeverity: 'low' as const, ...recipients },
});

describe('alertRecipientsDecider', () => {
  it('starts at the §8 default: no users, compliance officers and super admins, from low', () => {
    expect(alertRecipientsDecider.initialState).toEqual({ userIds: [], roles: ['compliance_officer', 'super_admin'], minSeverity: 'low', version: 0, updatedAt: null, updatedBy: null });
  });

  it('given the default, when recipients are replaced, then one AlertRecipientsUpdated with version 1, who and when', () => {
    expect(alertRecipientsDecider.decide(command({ userIds: ['bob'], roles: ['auditor'], minSeverity: 'high' }), DEFAULT_ALERT_RECIPIENTS)).toEqual([
      { type: ALERT_RECIPIENTS_UPDATED, data: { tenantId: 'acme', recipients: { userIds: ['bob'], roles: ['auditor'], minSeverity: 'high', version: 1, updatedAt: now.toISOString(), updatedBy: 'alice' } } },
    ]);
  });

  it('given the default, when the default is put again (roles in another order), then nothing is written', () => {
    expect(alertRecipientsDecider.decide(command({ roles: ['super_admin', 'compliance_officer'] }), DEFAULT_ALERT_RECIPIENTS)).toEqual([]);
  });

  it('given a replacement, when only minSeverity changes, then the version grows by one', () => {
    const state = foldEvents(alertRecipientsDecider, alertRecipientsDecider.decide(command({ userIds: ['bob'] }), DEFAULT_ALERT_RECIPIENTS));
    const [event] = alertRecipientsDecider.decide(command({ userIds: ['bob'], minSeverity: 'critical' }, 'carol'), state);
    expect(event.data.recipients).toMatchObject({ minSeverity: 'critical', version: 2, updatedBy: 'carol' });
  });
});

describe('alertRecipientsOf', () => {
  const paths = (body: unknown) => {
    try {
      alertRecipientsOf(body);
      return [];
    } catch (error) {
      return (error as RequestValidationError).errors.map((e) => e.path);
    }
  };

  it('accepts empty lists, sorts and dedupes names', () => {
    expect(alertRecipientsOf({ userIds: ['b', 'a', 'b'], roles: [], minSeverity: 'medium' })).toEqual({ userIds: ['a', 'b'], roles: [], minSeverity: 'medium' });
  });

  it('refuses missing fields, unknown fields, bad names and an unknown severity with their paths', () => {
    expect(paths({})).toEqual(['userIds', 'roles', 'minSeverity']);
    expect(paths({ userIds: [''], roles: ['x\u0000'], minSeverity: 'urgent', extra: 1 })).toEqual(['extra', 'userIds[0]', 'roles[0]', 'minSeverity']);
    expect(paths({ userIds: Array(101).fill('u'), roles: [], minSeverity: 'low' })).toEqual(['userIds']);
    expect(paths(null)).toEqual(['']);
  });
});

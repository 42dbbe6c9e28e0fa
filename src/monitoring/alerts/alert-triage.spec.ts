import { foldEvents } from '../../event-sourcing/decider';
import { AlertTransitionError, alertTriageDecider, TriageAction, TriageCommand } from './alert-triage';

const step = (action: TriageAction, note?: string): TriageCommand => ({ action, tenantId: 'acme', alertId: 'a1', by: 'carol', now: new Date('2026-05-04T10:00:00.000Z'), note });

/** Given the steps already taken, when one more is decided: its events or the refusal. */
function given(...steps: TriageAction[]) {
  let state = alertTriageDecider.initialState;
  for (const s of steps) state = foldEvents({ initialState: state, evolve: alertTriageDecider.evolve }, alertTriageDecider.decide(step(s), state));
  return { state, when: (action: TriageAction, note?: string) => alertTriageDecider.decide(step(action, note), state) };
}

describe('alert triage decider', () => {
  it('acknowledges an open alert, with the note and who did it', () => {
    expect(given().when('acknowledge', 'looking')).toEqual([{ type: 'AlertAcknowledged.v1', data: { tenantId: 'acme', alertId: 'a1', by: 'carol', at: '2026-05-04T10:00:00.000Z', note: 'looking' } }]);
  });

  it('resolves or dismisses an open or an acknowledged alert', () => {
    expect(given().when('resolve')[0].type).toBe('AlertResolved.v1');
    expect(given('acknowledge').when('dismiss')[0].type).toBe('AlertDismissed.v1');
    expect(given('acknowledge').state).toEqual({ status: 'acknowledged' });
  });

  it('refuses to acknowledge twice, and any step after resolve or dismiss (409)', () => {
    expect(() => given('acknowledge').when('acknowledge')).toThrow(AlertTransitionError);
    for (const last of ['resolve', 'dismiss'] as const) for (const next of ['acknowledge', 'resolve', 'dismiss'] as const) expect(() => given(last).when(next)).toThrow(AlertTransitionError);
  });
});

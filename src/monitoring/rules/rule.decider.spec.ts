import { foldEvents } from '../../event-sourcing/decider';
import { RuleDefinition } from './monitoring-rule';
import { RuleCommand, ruleDecider, RuleState } from './rule.decider';
import { BuiltInRuleDeletionError, RuleAlreadyExistsError, RuleNotFoundError } from './rule.errors';
import { RuleEvent } from './rule.events';

const now = new Date('2026-05-04T10:00:00.000Z');
const who = { tenantId: 'acme', by: 'alice', now };
const definition: RuleDefinition = {
  name: 'Bulk reads',
  description: '',
  severity: 'low',
  match: { actions: ['*.read'] },
  condition: { type: 'threshold', threshold: 10, windowSeconds: 60, groupBy: ['actor.id'], count: 'events' },
  suppressionSeconds: 60,
};

/** Given the events of a rule stream, when a command is decided: the new events (or the refusal). */
function given(ruleId: string, history: RuleCommand[] = []) {
  const decider = ruleDecider(ruleId);
  const events: RuleEvent[] = [];
  for (const command of history) events.push(...decider.decide(command, foldEvents(decider, events)));
  const state: RuleState = foldEvents(decider, events);
  return { state, when: (command: RuleCommand) => decider.decide(command, state) };
}

describe('monitoring rule decider', () => {
  it('a built-in rule exists before its stream does, at version 1, enabled', () => {
    expect(given('privilege-escalation-attempts').state).toMatchObject({ status: 'active', rule: { id: 'privilege-escalation-attempts', builtIn: true, enabled: true, version: 1 } });
  });

  it('editing a built-in threshold bumps the version to 2 and keeps the other fields', () => {
    const events = given('privilege-escalation-attempts').when({ ...who, kind: 'update', changes: { condition: { type: 'threshold', threshold: 3, windowSeconds: 600, groupBy: ['actor.id'], count: 'events' } } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'MonitoringRuleUpdated.v1', data: { ruleId: 'privilege-escalation-attempts', by: 'alice', rule: { version: 2, severity: 'high', condition: { threshold: 3 }, updatedBy: 'alice', updatedAt: now.toISOString() } } });
  });

  it('an edit that changes nothing writes nothing', () => {
    expect(given('privilege-escalation-attempts').when({ ...who, kind: 'update', changes: { severity: 'high' } })).toEqual([]);
  });

  it('disabling an enabled rule writes MonitoringRuleDisabled with enabled false and version + 1; disabling again writes nothing', () => {
    const { when } = given('security-config-change');
    expect(when({ ...who, kind: 'disable' })[0]).toMatchObject({ type: 'MonitoringRuleDisabled.v1', data: { rule: { enabled: false, version: 2 } } });
    const disabled = given('security-config-change', [{ ...who, kind: 'disable' }]);
    expect(disabled.when({ ...who, kind: 'disable' })).toEqual([]);
    expect(disabled.when({ ...who, kind: 'enable' })[0]).toMatchObject({ type: 'MonitoringRuleEnabled.v1', data: { rule: { enabled: true, version: 3 } } });
  });

  it('a built-in rule cannot be deleted (409) nor created again', () => {
    expect(() => given('mass-export-or-deletion').when({ ...who, kind: 'delete' })).toThrow(BuiltInRuleDeletionError);
    expect(() => given('mass-export-or-deletion').when({ ...who, kind: 'create', definition, enabled: true })).toThrow(RuleAlreadyExistsError);
  });

  it('creates a custom rule at version 1, refuses a second creation, deletes it, and re-creates it at a later version', () => {
    const created = given('bulk-reads').when({ ...who, kind: 'create', definition, enabled: true });
    expect(created[0]).toMatchObject({ type: 'MonitoringRuleCreated.v1', data: { rule: { id: 'bulk-reads', builtIn: false, enabled: true, version: 1, ...definition } } });
    const create = { ...who, kind: 'create', definition, enabled: true } as const;
    expect(() => given('bulk-reads', [create]).when(create)).toThrow(RuleAlreadyExistsError);
    expect(given('bulk-reads', [create]).when({ ...who, kind: 'delete' })[0]).toMatchObject({ type: 'MonitoringRuleDeleted.v1', data: { version: 2 } });
    expect(given('bulk-reads', [create, { ...who, kind: 'delete' }]).when(create)[0]).toMatchObject({ data: { rule: { version: 3 } } });
  });

  it('editing, enabling or deleting an unknown or deleted custom rule is a RuleNotFoundError', () => {
    for (const kind of ['enable', 'disable', 'delete'] as const) expect(() => given('nope').when({ ...who, kind })).toThrow(RuleNotFoundError);
    expect(() => given('nope').when({ ...who, kind: 'update', changes: { severity: 'low' } })).toThrow(RuleNotFoundError);
    const create = { ...who, kind: 'create', definition, enabled: true } as const;
    expect(() => given('gone', [create, { ...who, kind: 'delete' }]).when({ ...who, kind: 'update', changes: { severity: 'low' } })).toThrow(RuleNotFoundError);
  });
});

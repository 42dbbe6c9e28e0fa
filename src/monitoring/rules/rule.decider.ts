import { Decider } from '../../event-sourcing/decider';
import { defaultRule } from './default-rules';
import { MonitoringRule, RuleDefinition } from './monitoring-rule';
import { BuiltInRuleDeletionError, RuleAlreadyExistsError, RuleNotFoundError } from './rule.errors';
import {
  MONITORING_RULE_CREATED,
  MONITORING_RULE_DELETED,
  MONITORING_RULE_DISABLED,
  MONITORING_RULE_ENABLED,
  MONITORING_RULE_UPDATED,
  RuleEvent,
} from './rule.events';

export type RuleState = { status: 'absent' } | { status: 'active'; rule: MonitoringRule } | { status: 'deleted'; version: number };

interface Addressed {
  tenantId: string;
  /** Token `sub` of the caller. */
  by: string;
  now: Date;
}

export type RuleCommand =
  | (Addressed & { kind: 'create'; definition: RuleDefinition; enabled: boolean })
  | (Addressed & { kind: 'update'; changes: Partial<RuleDefinition> })
  | (Addressed & { kind: 'enable' })
  | (Addressed & { kind: 'disable' })
  | (Addressed & { kind: 'delete' });

/**
 * One monitoring rule of one tenant. A built-in rule exists before its stream does (its initial
 * state is the default of ARCHITECTURE §7); it can be edited, enabled and disabled, never deleted.
 * A custom rule is created, edited, enabled/disabled, deleted, and may be created again. Every change
 * adds one to `version`; a change that changes nothing writes nothing.
 */
export function ruleDecider(ruleId: string): Decider<RuleCommand, RuleState, RuleEvent> {
  const builtIn = defaultRule(ruleId);
  return {
    initialState: builtIn ? { status: 'active', rule: builtIn } : { status: 'absent' },

    decide(command: RuleCommand, state: RuleState): RuleEvent[] {
      const facts = { tenantId: command.tenantId, ruleId, by: command.by, at: command.now.toISOString() };
      const stamp = (rule: MonitoringRule): MonitoringRule => ({ ...rule, version: rule.version + 1, updatedAt: facts.at, updatedBy: facts.by });
      if (command.kind === 'create') {
        if (builtIn || state.status === 'active') throw new RuleAlreadyExistsError(ruleId);
        const version = state.status === 'deleted' ? state.version + 1 : 1;
        const rule: MonitoringRule = { id: ruleId, builtIn: false, enabled: command.enabled, ...command.definition, version, updatedAt: facts.at, updatedBy: facts.by };
        return [{ type: MONITORING_RULE_CREATED, data: { ...facts, rule } }];
      }
      if (state.status !== 'active') throw new RuleNotFoundError(ruleId);
      const current = state.rule;
      switch (command.kind) {
        case 'update': {
          const changed = { ...current, ...command.changes };
          if (command.changes.recipients === undefined && 'recipients' in command.changes) delete changed.recipients;
          if (sameDefinition(changed, current)) return [];
          return [{ type: MONITORING_RULE_UPDATED, data: { ...facts, rule: stamp(changed) } }];
        }
        case 'enable':
          return current.enabled ? [] : [{ type: MONITORING_RULE_ENABLED, data: { ...facts, rule: stamp({ ...current, enabled: true }) } }];
        case 'disable':
          return current.enabled ? [{ type: MONITORING_RULE_DISABLED, data: { ...facts, rule: stamp({ ...current, enabled: false }) } }] : [];
        case 'delete':
          if (builtIn) throw new BuiltInRuleDeletionError(ruleId);
          return [{ type: MONITORING_RULE_DELETED, data: { ...facts, version: current.version + 1 } }];
        default: {
          const unknown: never = command;
          throw new Error(`Unknown rule command ${JSON.stringify(unknown)}`);
        }
      }
    },

    evolve(_state: RuleState, event: RuleEvent): RuleState {
      return event.type === MONITORING_RULE_DELETED ? { status: 'deleted', version: event.data.version } : { status: 'active', rule: event.data.rule };
    },
  };
}

function sameDefinition(a: MonitoringRule, b: MonitoringRule): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DEFAULT_TENANT_TIMEZONE, TENANT_SETTINGS, TenantSettingsReader } from '../../tenant-settings/tenant-settings.port';
import { Principal } from '../../auth/principal';
import { decideAndProject } from '../../event-sourcing/decide-and-project';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRegistry } from '../../projections/projection-registry.service';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { AuditedChanges } from '../../self-audit/self-audit.decorators';
import { defaultRule } from './default-rules';
import { inTenantTimezone, MonitoringRule } from './monitoring-rule';
import { effectiveRules, MONITORING_RULES, MONITORING_RULES_PROJECTION, MonitoringRuleDocument, ruleDocumentId } from './monitoring-rules.read-model';
import { EVALUATED_EVENTS, EvaluatedChunkDocument, evaluatedEventsOf } from '../engine/evaluated-events';
import { Backtest, BacktestAlert } from './backtest';
import { backtestRequestOf, newRuleOf, ruleChangesOf } from './rule-input';
import { ruleStreamOf } from './rule-stream';
import { RuleCommand, ruleDecider, RuleState } from './rule.decider';
import { RuleNotFoundError } from './rule.errors';
import { decodeRuleEvent } from './rule.events';

/** Events read per page while backtesting. */
/** Chunks of the engine's compact copy read per query (EVENTS_PER_CHUNK events each). */
const BACKTEST_PAGE_CHUNKS = 20;

/** How long a rule change waits for the rules read model, so that the next read shows it. */
export const RULE_PROJECTION_WAIT_MS = 5000;

export interface RuleChangeResult {
  rule: MonitoringRule | null;
  changes: AuditedChanges;
}

type CommandInput = { kind: 'create'; body: unknown } | { kind: 'update'; body: unknown } | { kind: 'enable' } | { kind: 'disable' } | { kind: 'delete' };

/** The monitoring rules of the caller's tenant: the four defaults (as edited) and its custom rules. */
@Injectable()
export class MonitoringRulesService {
  private readonly logger = new Logger('MonitoringRules');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly projections: ProjectionRegistry,
    @Optional() @Inject(TENANT_SETTINGS) private readonly tenantSettings?: TenantSettingsReader,
  ) {}

  async list(principal: Principal): Promise<MonitoringRule[]> {
    const docs = (await this.store.find(MONITORING_RULES, { tenantId: principal.tenantId }, { sort: [['ruleId', 1]] })) as unknown as MonitoringRuleDocument[];
    return effectiveRules(docs.filter((d) => d.tenantId === principal.tenantId).map((d) => d.rule));
  }

  async get(principal: Principal, ruleId: string): Promise<MonitoringRule> {
    const doc = (await this.store.findById(MONITORING_RULES, ruleDocumentId(principal.tenantId, ruleId))) as MonitoringRuleDocument | null;
    const rule = doc && doc.tenantId === principal.tenantId ? doc.rule : defaultRule(ruleId);
    if (!rule) throw new RuleNotFoundError(ruleId);
    return rule;
  }

  /**
   * Evaluates a saved or draft rule over the tenant's events with occurredAt in [from, to), in log
   * order, with the live evaluation code; raises nothing, writes nothing.
   */
  async backtest(principal: Principal, body: unknown): Promise<{ rule: MonitoringRule; alerts: BacktestAlert[]; alertsTruncated: boolean; eventsScanned: number; from: string; to: string }> {
    const request = backtestRequestOf(body);
    const rule: MonitoringRule = request.ruleId
      ? { ...(await this.get(principal, request.ruleId)), enabled: true }
      : { id: request.draft!.id, builtIn: false, enabled: true, ...request.draft!.definition, version: 0, updatedAt: null, updatedBy: null };
    // As the live engine does: an outside_hours rule without a timezone uses the tenant's (as it is now).
    const backtest = new Backtest(inTenantTimezone(rule, (await this.tenantSettings?.timezoneOf(principal.tenantId)) ?? DEFAULT_TENANT_TIMEZONE));
    // In log order, as the live engine sees events (its threshold windows sort by occurredAt themselves).
    let afterChunk = -1;
    for (;;) {
      const page = (await this.store.find(
        EVALUATED_EVENTS,
        { tenantId: principal.tenantId, chunk: { $gt: afterChunk } },
        { sort: [['chunk', 1]], limit: BACKTEST_PAGE_CHUNKS, hint: 'by_chunk' },
      )) as unknown as EvaluatedChunkDocument[];
      for (const chunk of page) {
        afterChunk = chunk.chunk;
        if (chunk.tenantId !== principal.tenantId) continue;
        for (const event of evaluatedEventsOf(chunk)) {
          // occurredAt is stored as toISOString(), like from and to: string order is time order.
          if (event.occurredAt >= request.from && event.occurredAt < request.to) backtest.add(event);
        }
      }
      if (page.length < BACKTEST_PAGE_CHUNKS) break;
    }
    return { rule, ...backtest.result(), from: request.from, to: request.to };
  }

  /** `ruleId` is null for a creation (the id is in the body). Input is validated before anything is read or written. */
  async change(principal: Principal, ruleId: string | null, input: CommandInput, now = new Date()): Promise<RuleChangeResult> {
    const addressed = { tenantId: principal.tenantId, by: principal.subject, now };
    let id = ruleId;
    let command: RuleCommand;
    if (input.kind === 'create') {
      const created = newRuleOf(input.body);
      id = created.id;
      command = { ...addressed, kind: 'create', definition: created.definition, enabled: created.enabled };
    } else if (input.kind === 'update') {
      command = { ...addressed, kind: 'update', changes: ruleChangesOf(input.body) };
    } else {
      command = { ...addressed, kind: input.kind };
    }
    const result = await decideAndProject(this.events, this.projections, principal, {
      stream: ruleStreamOf(principal.tenantId, id!),
      decider: ruleDecider(id!),
      decode: decodeRuleEvent,
      command,
      projection: MONITORING_RULES_PROJECTION,
      waitMs: RULE_PROJECTION_WAIT_MS,
      logger: this.logger,
      describe: { rule: id },
    });
    return { rule: ruleOf(result.after), changes: { before: auditedRuleOf(result.before), after: auditedRuleOf(result.after) } };
  }
}

function ruleOf(state: RuleState): MonitoringRule | null {
  return state.status === 'active' ? state.rule : null;
}

function auditedRuleOf(state: RuleState): Record<string, unknown> | null {
  return ruleOf(state) as Record<string, unknown> | null;
}

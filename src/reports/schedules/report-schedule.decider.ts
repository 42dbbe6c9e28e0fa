import { Decider } from '../../event-sourcing/decider';
import { ReportSchedule, ReportScheduleDefinition, ScheduleRun, timingChanged } from './report-schedule';
import { ReportScheduleExistsError, ReportScheduleNotFoundError } from './report-schedule.errors';
import { REPORT_SCHEDULE_CREATED, REPORT_SCHEDULE_DELETED, REPORT_SCHEDULE_RUN_REQUESTED, REPORT_SCHEDULE_UPDATED, ReportScheduleEvent } from './report-schedule.events';

export type ReportScheduleState = { status: 'absent' } | { status: 'active'; schedule: ReportSchedule } | { status: 'deleted'; version: number };

interface Addressed {
  tenantId: string;
  /** Token `sub` of the caller, or the runner. */
  by: string;
  now: Date;
}

export type ReportScheduleCommand =
  | (Addressed & { kind: 'create'; definition: ReportScheduleDefinition })
  | (Addressed & { kind: 'replace'; definition: ReportScheduleDefinition })
  | (Addressed & { kind: 'delete' })
  | (Addressed & { kind: 'recordRun'; run: ScheduleRun });

/**
 * One report schedule of one tenant. Created, replaced (PUT), deleted; every requested run is recorded
 * (`lastRun`). A due run is recorded once: a second instance that requested the same run (same
 * deterministic report id) decides nothing. A run of a deleted schedule is not recorded.
 */
export function reportScheduleDecider(scheduleId: string): Decider<ReportScheduleCommand, ReportScheduleState, ReportScheduleEvent> {
  return {
    initialState: { status: 'absent' },

    decide(command: ReportScheduleCommand, state: ReportScheduleState): ReportScheduleEvent[] {
      const facts = { tenantId: command.tenantId, scheduleId, by: command.by, at: command.now.toISOString() };
      if (command.kind === 'create') {
        if (state.status !== 'absent') throw new ReportScheduleExistsError(scheduleId);
        const schedule: ReportSchedule = {
          id: scheduleId,
          ...command.definition,
          version: 1,
          createdAt: facts.at,
          createdBy: facts.by,
          updatedAt: facts.at,
          updatedBy: facts.by,
          activeSince: facts.at,
          lastScheduledRunAt: null,
          lastRun: null,
        };
        return [{ type: REPORT_SCHEDULE_CREATED, data: { ...facts, schedule } }];
      }
      if (state.status !== 'active') {
        if (command.kind === 'recordRun') return [];
        throw new ReportScheduleNotFoundError(scheduleId);
      }
      const current = state.schedule;
      switch (command.kind) {
        case 'replace': {
          if (sameDefinition(definitionOf(current), command.definition)) return [];
          const schedule: ReportSchedule = {
            id: scheduleId,
            ...command.definition,
            version: current.version + 1,
            createdAt: current.createdAt,
            createdBy: current.createdBy,
            updatedAt: facts.at,
            updatedBy: facts.by,
            activeSince: timingChanged(current, command.definition) ? facts.at : current.activeSince,
            lastScheduledRunAt: current.lastScheduledRunAt,
            lastRun: current.lastRun,
          };
          return [{ type: REPORT_SCHEDULE_UPDATED, data: { ...facts, schedule } }];
        }
        case 'delete':
          return [{ type: REPORT_SCHEDULE_DELETED, data: { ...facts, version: current.version + 1 } }];
        case 'recordRun': {
          const run = command.run;
          if (run.trigger === 'schedule') {
            if (!run.scheduledFor) throw new Error('A scheduled run names the run time it was due at');
            if (current.lastScheduledRunAt !== null && run.scheduledFor <= current.lastScheduledRunAt) return [];
          }
          const schedule: ReportSchedule = { ...current, lastRun: run, lastScheduledRunAt: run.trigger === 'schedule' ? run.scheduledFor : current.lastScheduledRunAt };
          return [{ type: REPORT_SCHEDULE_RUN_REQUESTED, data: { ...facts, schedule, run } }];
        }
        default: {
          const unknown: never = command;
          throw new Error(`Unknown report schedule command ${JSON.stringify(unknown)}`);
        }
      }
    },

    evolve(_state: ReportScheduleState, event: ReportScheduleEvent): ReportScheduleState {
      return event.type === REPORT_SCHEDULE_DELETED ? { status: 'deleted', version: event.data.version } : { status: 'active', schedule: event.data.schedule };
    },
  };
}

const DEFINITION_KEYS = ['name', 'templateId', 'frequency', 'timezone', 'time', 'dayOfWeek', 'dayOfMonth', 'format', 'parameters', 'delivery', 'enabled'] as const;

export function definitionOf(schedule: ReportSchedule): ReportScheduleDefinition {
  const definition: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) if (schedule[key] !== undefined) definition[key] = schedule[key];
  return definition as unknown as ReportScheduleDefinition;
}

function sameDefinition(a: ReportScheduleDefinition, b: ReportScheduleDefinition): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

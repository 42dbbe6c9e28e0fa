import { Decider } from '../../event-sourcing/decider';
import { ReportStatus } from '../report-requests.port';
import {
  REPORT_COMPLETED,
  REPORT_DELIVERED,
  REPORT_FAILED,
  REPORT_REQUESTED,
  REPORT_STARTED,
  ReportCompleted,
  ReportDelivered,
  ReportEvent,
  ReportRequestedData,
} from './report.events';

/** Attempts a report gets: a generation interrupted this many times (crashes, restarts) is marked failed. */
export const MAX_REPORT_ATTEMPTS = 3;

export type ReportState =
  | { status: 'none' }
  | { status: ReportStatus; request: ReportRequestedData; attempt: number; delivered: boolean };

export type ReportCommand =
  | { kind: 'request'; request: ReportRequestedData }
  /** Claims the next attempt; `at` is the claim time. */
  | { kind: 'start'; at: string }
  | { kind: 'complete'; attempt: number; at: string; result: Omit<ReportCompleted['data'], 'tenantId' | 'reportId' | 'attempt' | 'at'> }
  | { kind: 'fail'; attempt: number; at: string; reason: string }
  | { kind: 'delivered'; at: string; channels: ReportDelivered['data']['channels'] };

/** The attempt the command was for is no longer current (another instance took the report over). */
export class StaleReportAttemptError extends Error {}

/**
 * A report's lifecycle: requested (queued) → started (running, attempt n) → completed (ready) or
 * failed. Idempotent requests: asking again for an existing id decides nothing. A report still
 * running when claimed again (its instance crashed or restarted) gets a new attempt, up to
 * MAX_REPORT_ATTEMPTS, then fails; results of an older attempt are refused.
 */
export function reportDecider(): Decider<ReportCommand, ReportState, ReportEvent> {
  return {
    initialState: { status: 'none' },
    decide(command, state): ReportEvent[] {
      if (command.kind === 'request') return state.status === 'none' ? [{ type: REPORT_REQUESTED, data: command.request }] : [];
      if (state.status === 'none') throw new Error('No such report');
      const ids = { tenantId: state.request.tenantId, reportId: state.request.reportId };
      switch (command.kind) {
        case 'start':
          if (state.status !== 'queued' && state.status !== 'running') return [];
          if (state.attempt >= MAX_REPORT_ATTEMPTS) {
            return [{ type: REPORT_FAILED, data: { ...ids, attempt: state.attempt, at: command.at, reason: `generation was interrupted ${state.attempt} times (service restarts or crashes); request the report again` } }];
          }
          return [{ type: REPORT_STARTED, data: { ...ids, attempt: state.attempt + 1, at: command.at } }];
        case 'complete':
          if (state.status !== 'running' || state.attempt !== command.attempt) throw new StaleReportAttemptError(`attempt ${command.attempt} of report ${ids.reportId} is no longer current`);
          return [{ type: REPORT_COMPLETED, data: { ...ids, attempt: command.attempt, at: command.at, ...command.result } }];
        case 'fail':
          if (state.status !== 'running' || state.attempt !== command.attempt) throw new StaleReportAttemptError(`attempt ${command.attempt} of report ${ids.reportId} is no longer current`);
          return [{ type: REPORT_FAILED, data: { ...ids, attempt: command.attempt, at: command.at, reason: command.reason } }];
        case 'delivered':
          return state.status === 'ready' && !state.delivered ? [{ type: REPORT_DELIVERED, data: { ...ids, at: command.at, channels: command.channels } }] : [];
      }
    },
    evolve(state, event): ReportState {
      switch (event.type) {
        case REPORT_REQUESTED:
          return { status: 'queued', request: event.data, attempt: 0, delivered: false };
        case REPORT_STARTED:
          return state.status === 'none' ? state : { ...state, status: 'running', attempt: event.data.attempt };
        case REPORT_COMPLETED:
          return state.status === 'none' ? state : { ...state, status: 'ready' };
        case REPORT_FAILED:
          return state.status === 'none' ? state : { ...state, status: 'failed' };
        case REPORT_DELIVERED:
          return state.status === 'none' ? state : { ...state, delivered: true };
      }
    },
  };
}

import { foldEvents } from '../../event-sourcing/decider';
import { MAX_REPORT_ATTEMPTS, reportDecider, ReportState, StaleReportAttemptError } from './report.decider';
import { ReportEvent, ReportRequestedData } from './report.events';

const request: ReportRequestedData = {
  tenantId: 'acme',
  reportId: 'r1',
  template: { id: 'sox-privileged-access', version: 1, name: 'SOX privileged access', framework: 'SOX' },
  period: { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', timezone: 'UTC' },
  format: 'csv',
  parameters: {},
  requestedBy: 'carol',
  requestedAt: '2026-04-02T00:00:00.000Z',
  headSequence: 10,
  headHash: 'h',
};
const result = { summary: [], evidence: {} as never, file: { key: 'acme/r1.csv', filename: 'f.csv', contentType: 'text/csv', bytes: 1 }, populationSize: 0 };

function run(...commands: Parameters<ReturnType<typeof reportDecider>['decide']>[0][]): { state: ReportState; events: ReportEvent[] } {
  const decider = reportDecider();
  const events: ReportEvent[] = [];
  for (const command of commands) events.push(...decider.decide(command, foldEvents(decider, events)));
  return { state: foldEvents(decider, events), events };
}

describe('report decider', () => {
  it('a request queues the report; the same request again decides nothing', () => {
    const { state, events } = run({ kind: 'request', request }, { kind: 'request', request });
    expect(events.map((e) => e.type)).toEqual(['ReportRequested.v1']);
    expect(state).toMatchObject({ status: 'queued', attempt: 0 });
  });

  it('start → complete of the current attempt makes it ready', () => {
    const { state } = run({ kind: 'request', request }, { kind: 'start', at: 't1' }, { kind: 'complete', attempt: 1, at: 't2', result });
    expect(state).toMatchObject({ status: 'ready', attempt: 1 });
  });

  it('a running report claimed again gets the next attempt, and the older attempt can no longer complete or fail it', () => {
    const decider = reportDecider();
    const { events } = run({ kind: 'request', request }, { kind: 'start', at: 't1' }, { kind: 'start', at: 't2' });
    const state = foldEvents(decider, events);
    expect(state).toMatchObject({ status: 'running', attempt: 2 });
    expect(() => decider.decide({ kind: 'complete', attempt: 1, at: 't3', result }, state)).toThrow(StaleReportAttemptError);
    expect(() => decider.decide({ kind: 'fail', attempt: 1, at: 't3', reason: 'x' }, state)).toThrow(StaleReportAttemptError);
  });

  it(`the claim after ${MAX_REPORT_ATTEMPTS} interrupted attempts fails the report with the reason`, () => {
    const starts = Array.from({ length: MAX_REPORT_ATTEMPTS + 1 }, (_, i) => ({ kind: 'start' as const, at: `t${i}` }));
    const { state, events } = run({ kind: 'request', request }, ...starts);
    expect(state.status).toBe('failed');
    expect(events.at(-1)).toMatchObject({ type: 'ReportFailed.v1', data: { attempt: MAX_REPORT_ATTEMPTS, reason: expect.stringContaining(`interrupted ${MAX_REPORT_ATTEMPTS} times`) } });
  });

  it('a ready or failed report is not started again, and is delivered once', () => {
    const { events } = run({ kind: 'request', request }, { kind: 'start', at: 't1' }, { kind: 'complete', attempt: 1, at: 't2', result }, { kind: 'start', at: 't3' }, { kind: 'delivered', at: 't4', channels: [] }, { kind: 'delivered', at: 't5', channels: [] });
    expect(events.map((e) => e.type)).toEqual(['ReportRequested.v1', 'ReportStarted.v1', 'ReportCompleted.v1', 'ReportDelivered.v1']);
  });
});

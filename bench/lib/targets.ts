/** The figures issue 10 sets for ingestion, queries and storage, judged against one bench run's results. */

export interface Target {
  name: string;
  /** The measured figure, or undefined when this run did not measure it. */
  measure(results: BenchFigures): number | undefined;
  comparison: '≥' | '≤';
  limit(results: BenchFigures): number | undefined;
}

export interface Verdict {
  name: string;
  status: 'pass' | 'fail' | 'not measured';
  value?: number;
  limit?: number;
  comparison: Target['comparison'];
}

/** A bench's results object: nested records of numbers (only the paths the targets read matter). */
export type BenchFigures = Record<string, unknown>;

/** Reads a number at a dotted path, or undefined. */
export function figure(results: BenchFigures, dotted: string): number | undefined {
  let at: unknown = results;
  for (const key of dotted.split('.')) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'number' && !Number.isNaN(at) ? at : undefined;
}

const fixed = (value: number) => () => value;
const at = (dotted: string) => (results: BenchFigures) => figure(results, dotted);

export const INGESTION_TARGETS: Target[] = [
  { name: 'batch ingestion ≥ 20,000 events/s', measure: at('batch.eventsPerSec'), comparison: '≥', limit: fixed(20_000) },
  {
    name: 'batch ingestion ≥ 35% of raw SQLite',
    measure: at('batch.eventsPerSec'),
    comparison: '≥',
    limit: (results) => {
      const raw = figure(results, 'raw.eventsPerSec');
      return raw === undefined ? undefined : Math.round(raw * 0.35);
    },
  },
  { name: 'projection lag p99 ≤ 250 ms at 10,000 events/s', measure: at('steady.projectionLagMs.p99'), comparison: '≤', limit: fixed(250) },
  { name: 'caught up ≤ 1 s after load stops', measure: at('batch.catchUpAfterLoadMs'), comparison: '≤', limit: fixed(1000) },
  { name: 'single-event POST p99 ≤ 10 ms', measure: at('single.latencyMs.p99'), comparison: '≤', limit: fixed(10) },
  { name: 'single-event POST max ≤ 50 ms', measure: at('single.latencyMs.max'), comparison: '≤', limit: fixed(50) },
  { name: 'peak RSS during the batch run ≤ 400 MB', measure: at('batch.peakRssMb'), comparison: '≤', limit: fixed(400) },
  { name: 'read.db + events.db ≤ 2.0 GB per 1,000,000 events', measure: at('storage.gbPerMillionEvents'), comparison: '≤', limit: fixed(2.0) },
];

export const QUERY_TARGETS: Target[] = [
  { name: 'query p95 ≤ 25 ms (slowest shape)', measure: at('slowestQueryP95Ms'), comparison: '≤', limit: fixed(25) },
  { name: 'NDJSON export ≥ 50,000 events/s', measure: at('export.eventsPerSec'), comparison: '≥', limit: fixed(50_000) },
  { name: 'RSS after ingesting 1,000,000 events ≤ 400 MB', measure: at('rssAfterSeedMb'), comparison: '≤', limit: fixed(400) },
  { name: 'read.db + events.db ≤ 2.0 GB per 1,000,000 events', measure: at('storage.gbPerMillionEvents'), comparison: '≤', limit: fixed(2.0) },
];

export function evaluateTargets(targets: Target[], results: BenchFigures): Verdict[] {
  return targets.map((target) => {
    const value = target.measure(results);
    const limit = target.limit(results);
    if (value === undefined || limit === undefined) return { name: target.name, status: 'not measured', comparison: target.comparison };
    const pass = target.comparison === '≥' ? value >= limit : value <= limit;
    return { name: target.name, status: pass ? 'pass' : 'fail', value, limit, comparison: target.comparison };
  });
}

/** One line per target: `PASS  name: value (target ≥ limit)`. */
export function formatVerdicts(verdicts: Verdict[]): string[] {
  return verdicts.map((v) =>
    v.status === 'not measured' ? `----  ${v.name}: not measured in this run` : `${v.status === 'pass' ? 'PASS' : 'FAIL'}  ${v.name}: ${v.value} (target ${v.comparison} ${v.limit})`,
  );
}

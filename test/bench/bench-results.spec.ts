import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeBenchResults } from '../../bench/lib/results';
import { evaluateTargets, formatVerdicts, INGESTION_TARGETS } from '../../bench/lib/targets';
import { makeTempDir } from '../support/temp-dir';

describe('bench results and targets (issue 10 item 3)', () => {
  it('writes the results JSON into a results folder that does not exist yet (a fresh clone), creating it', () => {
    const temp = makeTempDir();
    try {
      const folder = path.join(temp.dir, 'results');
      expect(fs.existsSync(folder)).toBe(false);
      const file = writeBenchResults(folder, 'ingestion', { batch: { eventsPerSec: 1 } }, new Date('2026-11-28T15:00:00Z'));
      expect(file).toBe(path.join(folder, 'ingestion-2026-11-28T150000.json'));
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ batch: { eventsPerSec: 1 } });
    } finally {
      temp.cleanup();
    }
  });

  it('judges each target: a figure at the limit passes, one past it fails, a missing figure is "not measured"', () => {
    const verdicts = evaluateTargets(INGESTION_TARGETS, {
      raw: { eventsPerSec: 50_000 },
      batch: { eventsPerSec: 20_000, catchUpAfterLoadMs: 1000.1, peakRssMb: 400 },
      steady: { projectionLagMs: { p99: 250 } },
      single: { latencyMs: { p99: 11, max: 50 } },
    });
    const byName = Object.fromEntries(verdicts.map((v) => [v.name, v.status]));
    expect(byName).toEqual({
      'batch ingestion ≥ 20,000 events/s': 'pass',
      'batch ingestion ≥ 35% of raw SQLite': 'pass',
      'projection lag p99 ≤ 250 ms at 10,000 events/s': 'pass',
      'caught up ≤ 1 s after load stops': 'fail',
      'single-event POST p99 ≤ 10 ms': 'fail',
      'single-event POST max ≤ 50 ms': 'pass',
      'peak RSS during the batch run ≤ 400 MB': 'pass',
      'read.db + events.db ≤ 2.0 GB per 1,000,000 events': 'not measured',
    });
    expect(formatVerdicts(verdicts)[0]).toBe('PASS  batch ingestion ≥ 20,000 events/s: 20000 (target ≥ 20000)');
  });
});

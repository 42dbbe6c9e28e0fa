import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder the benches write into (gitignored JSON; a fresh clone may not have it). */
export const BENCH_RESULTS_DIR = path.resolve(__dirname, '..', 'results');

/** Writes `<name>-<UTC timestamp>.json` into `folder`, creating the folder when missing; returns the file. */
export function writeBenchResults(folder: string, name: string, results: unknown, at = new Date()): string {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}-${at.toISOString().slice(0, 19).replace(/:/g, '')}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  return file;
}

import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(ROOT, 'jest.config.js')) as { reporters?: Array<string | [string, unknown]> };

describe('jest prints why suites were skipped', () => {
  it('jest.config.js runs the skip-reasons reporter next to the default one', () => {
    const names = (config.reporters ?? []).map((r) => (Array.isArray(r) ? r[0] : r));
    expect(names).toEqual(['default', '<rootDir>/test/support/skip-reasons.reporter.js']);
  });

  it('the reporter lists each group whose title gives a SKIPPED: reason, once, with its file; other skips are not listed', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reporter = require('./skip-reasons.reporter.js') as {
      skippedWithReasons(results: object): Array<{ title: string; tests: number }>;
      formatSkipped(groups: Array<{ file: string; title: string; tests: number }>, rootDir: string): string;
    };
    const esdb = 'EventStore contract: EventStoreDbEventStore — SKIPPED: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB server on this machine)';
    const results = {
      testResults: [
        {
          testFilePath: path.join(ROOT, 'test/contracts/event-store.int-spec.ts'),
          testResults: [
            { status: 'passed', ancestorTitles: ['EventStore contract: SqliteEventStore'] },
            { status: 'pending', ancestorTitles: [esdb] },
            { status: 'pending', ancestorTitles: [esdb, 'nested'] },
            { status: 'pending', ancestorTitles: ['something skipped with it.skip'] },
          ],
        },
      ],
    };
    const groups = reporter.skippedWithReasons(results);
    expect(groups).toEqual([{ file: path.join(ROOT, 'test/contracts/event-store.int-spec.ts'), title: esdb, tests: 2 }]);
    expect(reporter.formatSkipped(groups as never, ROOT)).toBe(`Skipped test suites and why:\n  ${esdb} (test/contracts/event-store.int-spec.ts)\n`);
  });
});

// @ts-check
/**
 * A jest reporter that prints, after the summary, one line per test group skipped for a stated
 * reason: those whose describe title carries "SKIPPED: <why>" (the EventStoreDB/MongoDB contract
 * suites without their servers, test/support/distributed-stores.ts). Plain `npm test` otherwise
 * only counts them as skipped.
 */
const MARK = 'SKIPPED:';

/** The skipped groups of an aggregated result: [{ file, title, tests }] in file order. */
function skippedWithReasons(results) {
  const groups = new Map();
  for (const file of results.testResults) {
    for (const test of file.testResults) {
      if (test.status !== 'pending' && test.status !== 'skipped') continue;
      const title = test.ancestorTitles.find((t) => t.includes(MARK));
      if (!title) continue;
      const key = `${file.testFilePath}\u0000${title}`;
      const group = groups.get(key) ?? { file: file.testFilePath, title, tests: 0 };
      group.tests += 1;
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

function formatSkipped(groups, rootDir) {
  if (groups.length === 0) return '';
  const path = require('node:path');
  const lines = groups.map((g) => `  ${g.title} (${path.relative(rootDir, g.file)})`);
  return `Skipped test suites and why:\n${lines.join('\n')}\n`;
}

class SkipReasonsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const text = formatSkipped(skippedWithReasons(results), this.rootDir);
    if (text) process.stderr.write(`\n${text}`);
  }
}

module.exports = SkipReasonsReporter;
module.exports.skippedWithReasons = skippedWithReasons;
module.exports.formatSkipped = formatSkipped;

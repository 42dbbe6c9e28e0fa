#!/usr/bin/env node
import { runVerifyCli } from './integrity/cli/verify-offline.cli';

/**
 * The package's command (`npx compliance-audit-trail <command>`). Only what needs neither the service
 * nor its databases lives here: an auditor runs it on exported files.
 */
const USAGE = 'usage: compliance-audit-trail verify [options]   verifies exported events, checkpoints and reports offline\n       compliance-audit-trail verify --help   lists the options\n';

export function runCli(argv: string[], out: (text: string) => void, err: (text: string) => void): number {
  const [command, ...rest] = argv;
  if (command === 'verify') return runVerifyCli(rest, out, err);
  if (command === undefined || command === '--help' || command === 'help') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  err(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
}

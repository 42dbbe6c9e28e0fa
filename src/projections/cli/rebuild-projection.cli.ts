import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadAppConfig } from '../../config/app-config';
import { JsonLogger } from '../../logging/json-logger';
import { ProjectionRegistry } from '../projection-registry.service';

const USAGE = 'usage: npm run projection:rebuild -- <projection-name> | --list';

/**
 * Rebuilds one projection from the start of the log: drops its data, parked events and checkpoint,
 * re-applies every event (parking again those that still cannot be applied, ADR 009), and exits. Safe while the service runs: the service's runner sees the checkpoint move
 * (compare-and-set) and resumes from the stored one.
 */
async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return name ? 0 : 64; // EX_USAGE
  }
  const config = { ...loadAppConfig(), projections: { mode: 'inline' as const } };
  // stdout carries only results (--list); logs go to stderr.
  const logger = new JsonLogger(config.logLevel, (line) => process.stderr.write(`${line}\n`));
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { startProjections: false }), { logger });
  try {
    const registry = app.get(ProjectionRegistry);
    if (name === '--list') {
      process.stdout.write(`${registry.names().join('\n')}\n`);
      return 0;
    }
    if (!registry.names().includes(name)) {
      process.stderr.write(`unknown projection "${name}"; known: ${registry.names().join(', ') || 'none'}\n`);
      return 64;
    }
    const runner = registry.localRunner(name);
    const started = performance.now();
    await runner.reset();
    const applied = await runner.catchUp();
    const { parkedCount, parked } = runner.status();
    const result = { msg: 'projection rebuilt', projection: name, events: applied, parked: parkedCount, seconds: Math.round(performance.now() - started) / 1000 };
    logger.log(result, 'Rebuild');
    // Every other event is applied; these stay parked (named in /health) until a later rebuild can apply them.
    if (parkedCount > 0) logger.warn({ msg: 'events could not be applied and stay parked', projection: name, parkedCount, parked }, 'Rebuild');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

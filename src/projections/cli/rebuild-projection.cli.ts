import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadAppConfig } from '../../config/app-config';
import { JsonLogger } from '../../logging/json-logger';
import { LeaseHeldError } from '../../read-store/read-store.errors';
import { READ_STORE, ReadStore } from '../../read-store/read-store.port';
import { ProjectionRegistry } from '../projection-registry.service';

const USAGE = 'usage: npm run projection:rebuild -- <projection-name> [--force] | --list';
const EX_TEMPFAIL = 75;

/**
 * Rebuilds one projection from the start of the log: drops its data, parked events and checkpoint,
 * re-applies every event (parking again those that still cannot be applied, ADR 009), and exits.
 *
 * It first takes the projection's lease (ADR 018), so it never fights a running service's runner:
 * while another owner (a running service) holds a live lease it refuses (exit 75) unless `--force`,
 * which takes the lease over; the service's runner then stands by, following the rebuild's
 * checkpoint, and takes the projection back when the rebuild releases the lease at its end.
 */
async function main(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const unknownFlag = argv.find((a) => a.startsWith('--') && a !== '--force' && a !== '--list' && a !== '--help');
  if (unknownFlag) {
    process.stderr.write(`unknown option ${unknownFlag}\n${USAGE}\n`);
    return 64;
  }
  const name = argv.filter((a) => a !== '--force')[0];
  if (!name || name === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return name ? 0 : 64; // EX_USAGE
  }
  const loaded = loadAppConfig();
  const config = { ...loaded, projections: { ...loaded.projections, mode: 'inline' as const } };
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
    const store = app.get<ReadStore>(READ_STORE);
    try {
      await store.acquireLease(name, { force });
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      process.stderr.write(
        `projection "${name}" is owned by ${error.owner} (a running service) until ${error.until.toISOString()}; ` +
          'stop it or run again with --force, which takes the projection over while the service stands by\n',
      );
      return EX_TEMPFAIL;
    }
    const runner = registry.localRunner(name);
    const started = performance.now();
    let applied: number;
    try {
      await runner.reset();
      applied = await runner.catchUp();
    } finally {
      await store.releaseLease(name);
    }
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

import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parentPort, workerData } from 'node:worker_threads';
import { AppConfig, EventStoreKind, PROJECTION_CACHE_MIB, PROJECTION_MMAP_MIB, ReadStoreKind } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { EventStoreModule } from '../../event-store/event-store.module';
import { JsonLogger } from '../../logging/json-logger';
import { ReadStoreModule } from '../../read-store/read-store.module';
import { ProjectionRegistry } from '../projection-registry.service';
import { PROJECTION_MODULES } from '../projection-modules';
import { ProjectionsModule } from '../projections.module';
import { HostMessage, ProjectionWorkerData, WorkerMessage } from './projection-worker.protocol';

const STATUS_INTERVAL_MS = 1000;

@Module({})
class ProjectionWorkerModule {
  static forRoot(config: ProjectionWorkerData['config']): DynamicModule {
    return {
      module: ProjectionWorkerModule,
      imports: [
        ConfigModule.forRoot(projectionConfig(config)),
        EventStoreModule,
        ReadStoreModule,
        ProjectionsModule.forRoot({ autoStart: true }),
        ...PROJECTION_MODULES,
      ],
    };
  }
}

/** The worker runs its projections inline, and its read-store connection is the writing one. */
function projectionConfig(config: AppConfig): AppConfig {
  const readStore = config.readStore.kind === ReadStoreKind.Sqlite ? { ...config.readStore, cacheMiB: PROJECTION_CACHE_MIB, mmapMiB: PROJECTION_MMAP_MIB } : config.readStore;
  const eventStore = config.eventStore.kind === EventStoreKind.Sqlite ? { ...config.eventStore, mmapMiB: PROJECTION_MMAP_MIB } : config.eventStore;
  return { ...config, eventStore, readStore, projections: { ...config.projections, mode: 'inline' } };
}

/**
 * Worker-thread entry: runs every projection with its own store connections, off the thread that
 * serves HTTP, and reports each commit and its status to the main thread.
 */
async function run(): Promise<void> {
  const port = parentPort!;
  const { config } = workerData as ProjectionWorkerData;
  const post = (message: WorkerMessage) => port.postMessage(message);
  const app = await NestFactory.createApplicationContext(ProjectionWorkerModule.forRoot(config), {
    logger: new JsonLogger(config.logLevel),
  });
  const registry = app.get(ProjectionRegistry);
  let stopping = false;
  const report = () => post({ type: 'status', statuses: registry.statuses() });
  for (const name of registry.names()) {
    const runner = registry.runner(name);
    void (async () => {
      while (!stopping) {
        await runner.nextCommit(STATUS_INTERVAL_MS);
        if (!stopping) report();
      }
    })();
  }
  port.on('message', (message: HostMessage) => {
    if (message.type !== 'stop' || stopping) return;
    stopping = true;
    void app.close().finally(() => port.close());
  });
  report();
  post({ type: 'ready' });
}

run().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies WorkerMessage);
  process.exitCode = 1;
});

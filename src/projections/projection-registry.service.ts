import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { Projection } from './projection';
import { ProjectionRunner, ProjectionStatus } from './projection-runner';
import { ProjectionRunnerView } from './projection-runner-view';
import { ReadModelProjection } from './read-model-projection.decorator';
import { ProjectionWorkerHost } from './worker/projection-worker.host';

export interface ProjectionsOptions {
  /** false: prepare projections but do not run them (CLI commands drive them explicitly). */
  autoStart: boolean;
}

export const PROJECTIONS_OPTIONS = Symbol('PROJECTIONS_OPTIONS');

/**
 * Finds every @ReadModelProjection provider and runs it — in a worker thread (PROJECTION_MODE=worker,
 * the default: projection writes then use the second core) or on the main thread (inline). Either
 * way the projections are prepared before the app serves requests.
 */
@Injectable()
export class ProjectionRegistry implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly local = new Map<string, ProjectionRunner>();
  private readonly views = new Map<string, ProjectionRunnerView>();
  private readonly prefixes = new Map<string, string[]>();
  private worker: ProjectionWorkerHost | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(PROJECTIONS_OPTIONS) private readonly options: ProjectionsOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const projections = this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY }).map((w) => w.instance as Projection);
    const names = projections.map((p) => p.definition.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new Error(`Two projections are named ${duplicate}`);
    for (const projection of projections) this.prefixes.set(projection.definition.name, projection.streamPrefixes);

    if (this.config.projections.mode === 'worker' && this.options.autoStart) {
      this.worker = new ProjectionWorkerHost(this.config, projections.map((p) => p.definition));
      await this.worker.start();
      for (const projection of projections) await this.store.attachProjection(projection.definition);
      this.worker.views.forEach((view, name) => this.views.set(name, view));
      return;
    }
    for (const projection of projections) {
      const runner = new ProjectionRunner(projection, this.events, this.store, { leaseRenewMs: this.config.projections.leaseMs / 3 });
      await runner.prepare();
      this.local.set(runner.name, runner);
      this.views.set(runner.name, runner);
    }
  }

  onApplicationBootstrap(): void {
    if (this.options.autoStart) this.local.forEach((runner) => runner.start());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
    await Promise.all([...this.local.values()].map((runner) => runner.stop()));
  }

  /** A projection as seen from here, wherever it runs. */
  runner(name: string): ProjectionRunnerView {
    const view = this.views.get(name);
    if (!view) throw new Error(`No projection named ${name}; known: ${this.names().join(', ') || 'none'}`);
    return view;
  }

  /** A projection running on this thread (inline mode, CLI commands). */
  localRunner(name: string): ProjectionRunner {
    const runner = this.local.get(name);
    if (!runner) throw new Error(`Projection ${name} does not run on this thread`);
    return runner;
  }

  names(): string[] {
    return [...this.views.keys()];
  }

  /** The stream prefixes a projection reads (its events among all others in the log). */
  streamPrefixes(name: string): string[] {
    return this.prefixes.get(name) ?? [];
  }

  statuses(): ProjectionStatus[] {
    return [...this.views.values()].map((view) => view.status());
  }
}

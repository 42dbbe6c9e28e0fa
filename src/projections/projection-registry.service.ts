import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { READ_STORE, ReadStore } from '../read-store/read-store.port';
import { Projection } from './projection';
import { ProjectionRunner, ProjectionStatus } from './projection-runner';
import { ReadModelProjection } from './read-model-projection.decorator';

export interface ProjectionsOptions {
  /** false: prepare projections but do not run them (CLI commands drive them explicitly). */
  autoStart: boolean;
}

export const PROJECTIONS_OPTIONS = Symbol('PROJECTIONS_OPTIONS');

/** Finds every @ReadModelProjection provider, prepares it before the app serves, then runs it. */
@Injectable()
export class ProjectionRegistry implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners = new Map<string, ProjectionRunner>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(PROJECTIONS_OPTIONS) private readonly options: ProjectionsOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const wrapper of this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY })) {
      const projection = wrapper.instance as Projection;
      const name = projection.definition.name;
      if (this.runners.has(name)) throw new Error(`Two projections are named ${name}`);
      const runner = new ProjectionRunner(projection, this.events, this.store);
      await runner.prepare();
      this.runners.set(name, runner);
    }
  }

  onApplicationBootstrap(): void {
    if (this.options.autoStart) this.runners.forEach((runner) => runner.start());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }

  runner(name: string): ProjectionRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`No projection named ${name}; known: ${this.names().join(', ') || 'none'}`);
    return runner;
  }

  names(): string[] {
    return [...this.runners.keys()];
  }

  statuses(): ProjectionStatus[] {
    return [...this.runners.values()].map((runner) => runner.status());
  }
}
